import { Duration, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Bucket, HttpMethods, type IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Config } from '#shared/config/config.js';
import { UPLOAD_PUT_SECONDS, UPLOAD_RETENTION_DAYS } from '#shared/domain/uploads.js';
import type { ThreadlineFunction } from './constructs/threadline-function.js';
import { privateExpiringBucket } from './email-receiving.js';

const exportsBucketSetting = 'EXPORTS_BUCKET' satisfies keyof Config;
const uploadsBucketSetting = 'UPLOADS_BUCKET' satisfies keyof Config;

/**
 * The private bucket of exports written aside (`exports/`, expired after 3 days) and of the files agents
 * attach to replies (`uploads/`, expired after UPLOAD_RETENTION_DAYS: a redrive of the outbound
 * dead-letter queue, kept 14 days, or an email's link read late still finds the file). The console PUTs
 * a file's bytes straight to it with a presigned URL, so it answers that PUT's CORS preflight (any
 * origin: the presigned URL is the credential, and it names one key, type and length).
 */
export function exportsAndUploadsBucket(stack: Stack): Bucket {
  const bucket = privateExpiringBucket(stack, 'ExportsBucket', 'ExpireExports', 3, 'exports/');
  bucket.addLifecycleRule({
    id: 'ExpireUploads',
    prefix: 'uploads/',
    expiration: Duration.days(UPLOAD_RETENTION_DAYS),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
  bucket.addCorsRule({
    allowedMethods: [HttpMethods.PUT],
    allowedOrigins: ['*'],
    // The upload's agent, signed into the PUT as the object's metadata (UPLOAD_AGENT_HEADER).
    allowedHeaders: ['content-type', 'x-amz-meta-agent'],
    maxAge: UPLOAD_PUT_SECONDS,
  });
  return bucket;
}

/**
 * Lets the agent API sign the PUT and GET URLs of agents' reply files under `uploads/` (a presigned URL
 * acts with its signer's rights), and an erasure list a customer's folder there and delete what it
 * holds; nothing else in the bucket.
 */
export function bindUploads(fn: ThreadlineFunction, bucket: IBucket): void {
  fn.addEnvironment(uploadsBucketSetting, bucket.bucketName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects('uploads/*')],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': ['uploads/*'] } },
    }),
  );
}

/**
 * Lets the agent API write exports too large for one response under `exports/` and hand out presigned
 * GET URLs for them (signed with its own role, so it may also read them), and an erasure list a
 * customer's folder there and delete what it holds; nothing else in the bucket.
 */
export function bindExports(fn: ThreadlineFunction, bucket: IBucket): void {
  fn.addEnvironment(exportsBucketSetting, bucket.bucketName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects('exports/*')],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': ['exports/*'] } },
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Each export is a new object named by a random id, so the agent API writes, reads and (erasing ' +
          'its customer) deletes any key under exports/ of the exports bucket, with s3:PutObject, ' +
          's3:GetObject and s3:DeleteObject only, and nothing outside it.',
        appliesTo: [{ regex: '/^Resource::.+\\/exports\\/\\*$/' }],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Each file an agent attaches is a new object named by a random id under its customer, so the agent ' +
          'API signs PUT and GET URLs for, and (erasing its customer) deletes, any key under uploads/ of the ' +
          'exports bucket, with s3:PutObject, s3:GetObject and s3:DeleteObject only, and nothing outside it.',
        appliesTo: [{ regex: '/^Resource::.+\\/uploads\\/\\*$/' }],
      },
    ],
    true,
  );
}
