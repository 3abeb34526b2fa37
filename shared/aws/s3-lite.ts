import { type AwsCallOptions, awsHost, resolveRegion, signedRequest } from './signed-request.js';

/** SES receives messages of up to 40 MB, so no object it stores for us is larger. */
export const DEFAULT_MAX_OBJECT_BYTES = 40 * 1024 * 1024;

/** Reading a 40 MB object takes longer than the 3 s other calls get. */
const DEFAULT_S3_TIMEOUT_MS = 10_000;

/** The SHA-256 of the empty payload, sent as `x-amz-content-sha256` on a GET. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Options of getObjectBytes. */
export interface S3GetObjectOptions extends AwsCallOptions {
  /** Refuses a larger object, by Content-Length and while reading (default DEFAULT_MAX_OBJECT_BYTES). */
  maxBytes?: number;
  /**
   * Addresses the bucket in the path (`https://s3.<region>.amazonaws.com/<bucket>/<key>`) rather than
   * the host; the default when `endpoint` is set or the bucket name is not a plain DNS label (dots).
   */
  forcePathStyle?: boolean;
}

/**
 * A key as S3 wants it in the path: each `/`-separated segment percent-encoded as RFC 3986 unreserved
 * (encodeURIComponent plus `!'()*`), the slashes kept. This is also the canonical path S3 signs.
 */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/** Whether the bucket can be the first label of the virtual-hosted name over HTTPS (no dots). */
function isVirtualHostable(bucket: string): boolean {
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
}

/** The URL of an object: virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com/<key>`, or path style. */
export function s3ObjectUrl(bucket: string, key: string, region: string, pathStyle = false): string {
  const encodedKey = encodeS3Key(key);
  return pathStyle || !isVirtualHostable(bucket)
    ? `https://${awsHost('s3', region)}/${encodeURIComponent(bucket)}/${encodedKey}`
    : `https://${bucket}.${awsHost('s3', region)}/${encodedKey}`;
}

/**
 * S3 GetObject without the SDK: a SigV4-signed REST GET, the region from `options.region` then
 * AWS_REGION. Resolves with the whole object; throws AwsRequestError for an error answer (code
 * `NoSuchKey`, `AccessDenied`, ... from S3's XML), for a network failure or timeout, and with code
 * `ResponseTooLarge` for an object over `maxBytes` (read no further than that).
 */
export async function getObjectBytes(
  bucket: string,
  key: string,
  options: S3GetObjectOptions = {},
): Promise<Buffer> {
  if (!bucket || !key) throw new TypeError('GetObject: bucket and key are required');
  const region = resolveRegion('s3', options.region);
  const response = await signedRequest(
    {
      service: 's3',
      region,
      method: 'GET',
      url: s3ObjectUrl(bucket, key, region, options.forcePathStyle ?? options.endpoint !== undefined),
      headers: { 'X-Amz-Content-Sha256': EMPTY_SHA256 },
    },
    {
      ...options,
      timeoutMs: options.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS,
      maxResponseBytes: options.maxBytes ?? DEFAULT_MAX_OBJECT_BYTES,
    },
  );
  return response.body;
}
