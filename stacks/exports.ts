import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Config } from '#shared/config/config.js';
import type { ThreadlineFunction } from './constructs/threadline-function.js';

const exportsBucketSetting = 'EXPORTS_BUCKET' satisfies keyof Config;

/**
 * Lets the agent API write exports too large for one response under `exports/` and hand out presigned
 * GET URLs for them (signed with its own role, so it may also read them); nothing else in the bucket.
 */
export function bindExports(fn: ThreadlineFunction, bucket: IBucket): void {
  fn.addEnvironment(exportsBucketSetting, bucket.bucketName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: [bucket.arnForObjects('exports/*')],
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Each export is a new object named by a random id, so the agent API writes and reads any key under ' +
          'exports/ of the exports bucket, with s3:PutObject and s3:GetObject only, and nothing outside it.',
        appliesTo: [{ regex: '/^Resource::.+\\/exports\\/\\*$/' }],
      },
    ],
    true,
  );
}
