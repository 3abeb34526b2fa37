import { createHash } from 'node:crypto';
import aws4 from 'aws4';
import type { ExportStore } from '../domain/privacy.js';
import { s3ObjectUrl } from './s3-lite.js';
import { type AwsCallOptions, credentialsFromEnv, resolveRegion, signedRequest } from './signed-request.js';

/** Where exports go in the bucket; the bucket's lifecycle rule expires what is under it. */
export const EXPORTS_PREFIX = 'exports/';

/** A PUT of a large export may take longer than AWS's usual calls. */
const PUT_TIMEOUT_MS = 30_000;

/**
 * A presigned S3 GET URL (SigV4 in the query string) for `key`, valid `seconds`: whoever holds it may
 * download that object, and nothing else, until it expires.
 */
export async function presignedGetUrl(
  bucket: string,
  key: string,
  seconds: number,
  options: AwsCallOptions = {},
): Promise<string> {
  const region = resolveRegion('s3', options.region);
  const credentials = await (options.credentials ?? (() => credentialsFromEnv(process.env, 's3')))();
  const url = new URL(s3ObjectUrl(bucket, key, region));
  const signed = aws4.sign(
    {
      service: 's3',
      region,
      method: 'GET',
      host: url.host,
      path: `/${url.pathname.slice(1)}?X-Amz-Expires=${seconds}`,
      signQuery: true,
    },
    credentials,
  );
  return `https://${url.host}${signed.path}`;
}

/**
 * Exports too large for one response on AWS: a private object under `exports/` in the exports bucket
 * (SSE-S3, expired by the bucket's lifecycle rule), fetched through a presigned GET URL that works
 * until `expiresAt`. Uses the signed-HTTPS calls of shared/aws, no SDK.
 */
export function s3ExportStore(bucket: string, options: AwsCallOptions = {}): ExportStore {
  return {
    async save(exportId, body, expiresAt) {
      const region = resolveRegion('s3', options.region);
      const key = `${EXPORTS_PREFIX}${exportId}.json`;
      await signedRequest(
        {
          service: 's3',
          region,
          method: 'PUT',
          url: s3ObjectUrl(bucket, key, region, options.endpoint !== undefined),
          headers: {
            'Content-Type': 'application/json',
            'X-Amz-Content-Sha256': createHash('sha256').update(body).digest('hex'),
            'X-Amz-Server-Side-Encryption': 'AES256',
          },
          body,
        },
        { ...options, timeoutMs: options.timeoutMs ?? PUT_TIMEOUT_MS },
      );
      const seconds = Math.max(1, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
      return { url: await presignedGetUrl(bucket, key, seconds, options) };
    },
  };
}
