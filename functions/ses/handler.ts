import { readFileSync } from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SNSEvent } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { getSnsUrl, SnsCertCache } from '#shared/channels/ses/sns.js';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { createSesApp, type FetchObject, handleSnsEvent, isSnsEvent } from './app.js';

const config = requireSettings(await loadConfigWithSecrets(), ['INBOUND_QUEUE_URL', 'SNS_TOPIC_ARNS']);

const s3 = new S3Client({});
const fetchObject: FetchObject = async (bucket, key) => {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error('S3 returned no body');
  return out.Body.transformToByteArray();
};

const deps = {
  queue: new SqsEnvelopeQueue(new SQSClient({}), config.INBOUND_QUEUE_URL),
  clock: systemClock,
  fetchObject,
  topicArns: config.SNS_TOPIC_ARNS,
};

const http = handle(
  createSesApp({
    ...deps,
    maxBodyBytes: config.MAX_BODY_BYTES,
    fetchCert: (url) => getSnsUrl(url),
    trustedCertPem: config.SNS_TRUSTED_CERT_FILE
      ? readFileSync(config.SNS_TRUSTED_CERT_FILE, 'utf8')
      : undefined,
    certCache: new SnsCertCache(),
    confirmSubscription: async (url) => {
      await getSnsUrl(url);
    },
  }),
);

/** SNS invokes the function directly on AWS; the HTTP route (API Gateway) serves SNS over HTTPS. */
export const handler = async (
  event: Parameters<typeof http>[0] | SNSEvent,
  context: Context,
): Promise<Awaited<ReturnType<typeof http>> | undefined> => {
  if (isSnsEvent(event)) {
    await handleSnsEvent(event, deps);
    return undefined;
  }
  return http(event, context);
};
