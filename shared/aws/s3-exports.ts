import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import aws4 from 'aws4';
import { customerOfExport, type ExportStore } from '../domain/privacy.js';
import { AwsRequestError } from './request-error.js';
import { encodeS3Key, s3ObjectUrl } from './s3-lite.js';
import { type AwsCallOptions, credentialsFromEnv, resolveRegion, signedRequest } from './signed-request.js';

/** Where exports go in the bucket; the bucket's lifecycle rule expires what is under it. */
export const EXPORTS_PREFIX = 'exports/';

/** The SHA-256 of the empty payload, sent as `x-amz-content-sha256` on a call without a body. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Most keys one ListObjectsV2 page answers (S3's own maximum). */
const LIST_PAGE = 1000;

/** Pages an erasure lists at most: a customer has a handful of exports, never thousands. */
const MAX_LIST_PAGES = 20;

/**
 * Where an export is kept: under its customer's folder, `exports/<customer id>/<export id>.json`, so
 * an erasure lists that folder; an id that names no customer (older exports) directly under `exports/`.
 */
export function exportObjectKey(exportId: string): string {
  const customerId = customerOfExport(exportId);
  return customerId ? `${EXPORTS_PREFIX}${customerId}/${exportId}.json` : `${EXPORTS_PREFIX}${exportId}.json`;
}

/**
 * The empty marker of an export of a merged group in another member's folder,
 * `exports/<member id>/<export id>.ref`: its key names the export, so that member's erasure, which
 * lists only their folder, deletes the export too.
 */
export function exportMarkerKey(memberId: string, exportId: string): string {
  return `${EXPORTS_PREFIX}${memberId}/${exportId}.ref`;
}

/** The export a marker's key names, or undefined for a key that is no marker. */
function markedExport(key: string): string | undefined {
  return /\/(ex_[^/]+)\.ref$/.exec(key)?.[1];
}

/** The keys of one ListObjectsV2 answer (ours are plain ids: no XML entity to decode). */
function listedKeys(xml: string): string[] {
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1] as string);
}

/** A PUT of a large export may take longer than AWS's usual calls. */
const PUT_TIMEOUT_MS = 30_000;

/**
 * A presigned S3 URL (SigV4 in the query string) for `method` on `key`, valid `seconds`: whoever holds it
 * may do that to that object, and nothing else, until it expires. `headers` are signed too (a PUT's
 * `Content-Type` and `Content-Length`: S3 refuses other ones); `query` adds signed parameters (a GET's
 * `response-content-disposition`).
 */
export async function presignedUrl(
  method: 'GET' | 'PUT',
  bucket: string,
  key: string,
  seconds: number,
  options: AwsCallOptions = {},
  extra: { headers?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<string> {
  const region = resolveRegion('s3', options.region);
  const credentials = await (options.credentials ?? (() => credentialsFromEnv(process.env, 's3')))();
  const url = new URL(s3ObjectUrl(bucket, key, region));
  const query = new URLSearchParams({ ...extra.query, 'X-Amz-Expires': String(seconds) })
    .toString()
    .replaceAll('+', '%20');
  const signed = aws4.sign(
    {
      service: 's3',
      region,
      method,
      host: url.host,
      path: `/${url.pathname.slice(1)}?${query}`,
      signQuery: true,
      ...(extra.headers ? { headers: { ...extra.headers } } : {}),
    },
    credentials,
  );
  return `https://${url.host}${signed.path}`;
}

/** A presigned S3 GET URL for `key`, valid `seconds` (see presignedUrl). */
export function presignedGetUrl(
  bucket: string,
  key: string,
  seconds: number,
  options: AwsCallOptions = {},
): Promise<string> {
  return presignedUrl('GET', bucket, key, seconds, options);
}

/**
 * The keys under `prefix` of one ListObjectsV2 page (at most 1,000), for an erasure that deletes what it
 * lists and lists again until none is left.
 */
export async function listedUnder(
  bucket: string,
  prefix: string,
  options: AwsCallOptions = {},
): Promise<string[]> {
  const region = resolveRegion('s3', options.region);
  const bucketUrl = s3ObjectUrl(bucket, '', region, options.endpoint !== undefined);
  const query = `?list-type=2&max-keys=${LIST_PAGE}&prefix=${encodeS3Key(prefix).replaceAll('/', '%2F')}`;
  const listing = await signedRequest(
    {
      service: 's3',
      region,
      method: 'GET',
      url: `${bucketUrl}${query}`,
      headers: { 'X-Amz-Content-Sha256': EMPTY_SHA256 },
    },
    options,
  );
  return listedKeys(listing.body.toString('utf8')).filter((key) => key.startsWith(prefix));
}

/** A call on one object that sends no body (a HEAD, a DELETE). */
function bodilessObjectCall(method: 'HEAD' | 'DELETE', bucket: string, key: string, options: AwsCallOptions) {
  const region = resolveRegion('s3', options.region);
  const url = s3ObjectUrl(bucket, key, region, options.endpoint !== undefined);
  const headers = { 'X-Amz-Content-Sha256': EMPTY_SHA256 };
  return signedRequest({ service: 's3', region, method, url, headers }, options);
}

/**
 * The headers of one object (a HEAD: its metadata, `x-amz-meta-*`), or undefined when there is none:
 * S3 answers a missing key 404, or 403 to a role that may not list that key, so both are "none".
 */
export async function objectHeaders(
  bucket: string,
  key: string,
  options: AwsCallOptions = {},
): Promise<IncomingHttpHeaders | undefined> {
  try {
    return (await bodilessObjectCall('HEAD', bucket, key, options)).headers;
  } catch (error) {
    if (error instanceof AwsRequestError && (error.status === 404 || error.status === 403)) return undefined;
    throw error;
  }
}

/** Deletes one object (S3 answers 204 for one already gone). */
export async function deleteObject(bucket: string, key: string, options: AwsCallOptions = {}): Promise<void> {
  await bodilessObjectCall('DELETE', bucket, key, options);
}

/**
 * Exports too large for one response on AWS: a private object under `exports/<customer id>/` in the
 * exports bucket (SSE-S3, expired by the bucket's lifecycle rule), fetched through a presigned GET URL
 * that works until `expiresAt`, and deleted with the customer's erasure. Uses the signed-HTTPS calls
 * of shared/aws, no SDK.
 */
export function s3ExportStore(bucket: string, options: AwsCallOptions = {}): ExportStore {
  return {
    async save(exportId, body, expiresAt, alsoOf = []) {
      const region = resolveRegion('s3', options.region);
      const key = exportObjectKey(exportId);
      const put = (objectKey: string, content: string) =>
        signedRequest(
          {
            service: 's3',
            region,
            method: 'PUT',
            url: s3ObjectUrl(bucket, objectKey, region, options.endpoint !== undefined),
            headers: {
              'Content-Type': 'application/json',
              'X-Amz-Content-Sha256': createHash('sha256').update(content).digest('hex'),
              'X-Amz-Server-Side-Encryption': 'AES256',
            },
            body: content,
          },
          { ...options, timeoutMs: options.timeoutMs ?? PUT_TIMEOUT_MS },
        );
      // Markers first: an export is never readable before every member's erasure can find it.
      for (const memberId of alsoOf) await put(exportMarkerKey(memberId, exportId), '');
      await put(key, body);
      const seconds = Math.max(1, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
      return { url: await presignedGetUrl(bucket, key, seconds, options) };
    },
    async removeAllOf(customerId) {
      const prefix = `${EXPORTS_PREFIX}${customerId}/`;
      let removed = 0;
      // Lists the folder and deletes what it lists, until a listing is empty: what was deleted is no
      // longer listed, so no continuation token is needed.
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const keys = await listedUnder(bucket, prefix, options);
        if (keys.length === 0) return removed;
        for (const key of keys) {
          const marked = markedExport(key);
          // The export a marker names first, in the folder of the customer it was asked for (S3
          // answers 204 to a DELETE of what is gone): a retried erasure still finds the marker.
          if (marked) await deleteObject(bucket, exportObjectKey(marked), options);
          await deleteObject(bucket, key, options);
          removed += 1;
        }
      }
      throw new Error(`more than ${MAX_LIST_PAGES * LIST_PAGE} exports of one customer`);
    },
  };
}
