import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Config } from '#shared/config/config.js';
import type { ThreadlineFunction } from './constructs/threadline-function.js';

const exportsBucketSetting = 'EXPORTS_BUCKET' satisfies keyof Config;

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
    ],
    true,
  );
}
