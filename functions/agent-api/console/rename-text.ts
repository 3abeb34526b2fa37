import { ApiError } from './api.js';
import { failureText } from './format.js';

/** Why a rename was refused, in words an agent acts on (by the API's status). */
export function renameFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return `Not renamed: ${failureText(error)}`;
  if (error.status === 410) return 'Not renamed: this customer was erased, or is being erased.';
  if (error.status === 404)
    return 'Not renamed: this customer is no longer there (merged into another, or erased).';
  if (error.status === 400 || error.status === 413) return 'Not renamed: a name is 1 to 256 characters.';
  return `Not renamed: ${error.message}`;
}
