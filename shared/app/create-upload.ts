import { randomBytes } from 'node:crypto';
import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import {
  safeFileName,
  UPLOAD_PUT_SECONDS,
  UPLOAD_TYPES,
  type UploadChannel,
  type UploadKind,
  type UploadStore,
  type UploadTarget,
  uploadProblem,
} from '#shared/domain/uploads.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { existingCustomer } from './read-customer.js';

/** What an agent asks for: the customer the reply goes to, its channel, the file's name, type and size. */
export interface UploadRequest {
  customerId: string;
  channel: UploadChannel;
  name: string;
  type: string;
  size: number;
}

/** The upload as the API answers it: where to put the bytes, and the attachment to send once they are. */
export interface CreatedUpload {
  id: string;
  upload: UploadTarget & { expiresAt: string };
  attachment: { url: string; kind: UploadKind; filename: string; mimeType: string };
  size: number;
}

/**
 * Makes room for a file of a reply: the customer must exist (404, 410 while erased: the file is theirs,
 * and their erasure deletes it), the type must be one no browser runs (415) and the size within what the
 * channel's provider takes (413). The file's id is 128 random bits: its link, which the provider fetches
 * with no credentials, cannot be guessed. The upload records its agent (locally beside the file, on AWS
 * in the object's metadata, signed into the PUT): only they may send it (`checkReplyUploads`). One
 * GetItem (the profile); nothing written to the table.
 */
export async function createUpload(
  deps: { store: Pick<AgentStore, 'getCustomer'>; uploads: UploadStore; clock: Clock },
  request: UploadRequest & { agentId: string; origin: string },
): Promise<CreatedUpload> {
  const { customerId, channel, type, size, agentId } = request;
  const problem = uploadProblem(channel, request);
  if (problem) {
    logger.info('upload refused', { customerId, channel, type, size, agentId, status: problem.status });
    if (problem.status === 413) throw new PayloadTooLargeError(problem.message, 'file_too_large');
    throw new UnsupportedMediaTypeError(problem.message);
  }
  await existingCustomer(deps, customerId);
  const fileId = `f_${randomBytes(16).toString('base64url')}`;
  const name = safeFileName(request.name);
  const expiresAt = new Date(deps.clock.now().getTime() + UPLOAD_PUT_SECONDS * 1000).toISOString();
  const target = await deps.uploads.prepare({ customerId, fileId, name, type, size, agentId }, expiresAt);
  logger.info('upload created', { customerId, fileId, channel, type, size, agentId });
  const kind = UPLOAD_TYPES[type] as UploadKind;
  return {
    id: fileId,
    upload: { ...target, expiresAt },
    attachment: {
      url: fileUrl(request.origin, { customerId, fileId }, name),
      kind,
      filename: name,
      mimeType: type,
    },
    size,
  };
}

/** The file's link: `<origin>/files/<customer id>/<file id>/<name>`, the same for the whole of its life. */
export function fileUrl(origin: string, key: { customerId: string; fileId: string }, name: string): string {
  return `${origin.replace(/\/+$/, '')}/files/${key.customerId}/${key.fileId}/${encodeURIComponent(name)}`;
}
