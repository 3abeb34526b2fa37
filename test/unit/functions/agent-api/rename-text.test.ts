import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../functions/agent-api/console/api.js';
import { renameFailure } from '../../../../functions/agent-api/console/rename-text.js';

describe("the console's words for a refused rename", () => {
  it('says an erased customer, one no longer there and a bad name in words, not codes', () => {
    expect(renameFailure(new ApiError(410, 'gone', 'customer cu_1 is gone'))).toBe(
      'Not renamed: this customer was erased, or is being erased.',
    );
    expect(renameFailure(new ApiError(404, 'not_found', 'no customer cu_1'))).toMatch(/no longer there/);
    expect(renameFailure(new ApiError(400, 'invalid_request', 'name: too big'))).toBe(
      'Not renamed: a name is 1 to 256 characters.',
    );
  });

  it('says a network failure plainly, and any other refusal by the API’s message', () => {
    expect(renameFailure(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
    expect(renameFailure(new ApiError(503, 'unavailable', 'try again'))).toBe('Not renamed: try again');
  });
});
