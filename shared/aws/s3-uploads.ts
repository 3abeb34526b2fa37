import type { UploadFile, UploadKey, UploadStore, UploadTarget } from '../domain/uploads.js';
import { deleteObject, listedUnder, objectHeaders, presignedUrl } from './s3-exports.js';
import type { AwsCallOptions } from './signed-request.js';

/** Where agents' reply files go in the uploads bucket; the bucket's lifecycle rule expires them. */
export const UPLOADS_PREFIX = 'uploads/';

/** How long the redirect `GET /files/...` answers works: long enough for a provider's fetch to begin. */
export const FILE_LINK_SECONDS = 300;

/**
 * The object's metadata that names the agent who made the upload (percent-encoded: a header is ASCII),
 * signed into the PUT, so the bytes land only with it and unchanged.
 */
export const UPLOAD_AGENT_HEADER = 'x-amz-meta-agent';

/** The agent the metadata names; one that does not decode names nobody who could send the file. */
function decodedAgent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Pages an erasure lists at most (1,000 keys each). */
const MAX_LIST_PAGES = 20;

/** Ids as the API makes them: nothing that would reach another folder of the bucket. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Where a file is: under its customer's folder, so an erasure lists that folder. */
export function uploadObjectKey(key: UploadKey): string {
  return `${UPLOADS_PREFIX}${key.customerId}/${key.fileId}`;
}

/**
 * Agents' reply files on AWS: private objects under `uploads/<customer id>/` of the uploads bucket
 * (SSE-S3, expired by its lifecycle rule), put by the console through a presigned PUT whose type and
 * exact length are signed (S3 refuses any other), with the agent who asked for it as the object's
 * metadata (read back by a HEAD when a reply attaches it), fetched through `GET /files/...`, which answers a
 * presigned GET made then (the function's role credentials are short-lived, so a link signed at upload
 * would stop working before a redrive), and deleted with the customer's erasure. No SDK.
 */
export function s3UploadStore(bucket: string, options: AwsCallOptions = {}): UploadStore {
  return {
    async prepare(file: UploadFile, expiresAt: string): Promise<UploadTarget> {
      const seconds = Math.max(1, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
      const agent = { [UPLOAD_AGENT_HEADER]: encodeURIComponent(file.agentId) };
      const headers = { 'Content-Type': file.type, 'Content-Length': String(file.size), ...agent };
      const url = await presignedUrl('PUT', bucket, uploadObjectKey(file), seconds, options, { headers });
      // The browser sets Content-Length itself; the console sends the type and the agent's metadata.
      return { method: 'PUT', url, headers: { 'Content-Type': file.type, ...agent } };
    },
    async ownerOf(key: UploadKey) {
      if (!SAFE_ID.test(key.customerId) || !SAFE_ID.test(key.fileId)) return undefined;
      const headers = await objectHeaders(bucket, uploadObjectKey(key), options);
      if (!headers) return undefined;
      const agent = headers[UPLOAD_AGENT_HEADER];
      return { agentId: typeof agent === 'string' ? decodedAgent(agent) : undefined };
    },
    async open(key: UploadKey) {
      if (!SAFE_ID.test(key.customerId) || !SAFE_ID.test(key.fileId)) return undefined;
      // Not looked up first: a file that is gone answers S3's own 403/404 at the redirect's end.
      return {
        redirect: await presignedUrl('GET', bucket, uploadObjectKey(key), FILE_LINK_SECONDS, options),
      };
    },
    async removeAllOf(customerId: string): Promise<number> {
      if (!SAFE_ID.test(customerId)) return 0;
      const prefix = `${UPLOADS_PREFIX}${customerId}/`;
      let removed = 0;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const keys = await listedUnder(bucket, prefix, options);
        if (keys.length === 0) return removed;
        for (const key of keys) await deleteObject(bucket, key, options);
        removed += keys.length;
      }
      throw new Error(`more than ${MAX_LIST_PAGES * 1000} uploads of one customer`);
    },
  };
}
