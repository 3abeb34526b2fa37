import type { APIGatewayProxyEventV2, SNSEvent } from 'aws-lambda';
import { getSecretString } from '#shared/aws/secrets-lite.js';
import { sqsSendMessageBatch } from '#shared/aws/sqs-lite.js';
import { createSesWebhook, handleSnsEvent, isSnsEvent, snsHttpDeps } from '#shared/channels/ses/webhook.js';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { lambdaWebhook } from '#shared/lambda/webhook-lambda.js';
import { SqsMailQueue } from '#shared/queue/sqs-mail-queue.js';

const config = requireSettings(await loadConfigWithSecrets((id) => getSecretString(id)), [
  'MAIL_QUEUE_URL',
  'SNS_TOPIC_ARNS',
]);

const deps = {
  mail: new SqsMailQueue((input) => sqsSendMessageBatch(input), config.MAIL_QUEUE_URL),
  clock: systemClock,
  topicArns: config.SNS_TOPIC_ARNS,
};

const http = lambdaWebhook(
  createSesWebhook({
    ...deps,
    maxBodyBytes: config.MAX_BODY_BYTES,
    ...snsHttpDeps(config.SNS_TRUSTED_CERT_FILE),
  }),
);

/** SNS invokes the function directly on AWS; the HTTP route (API Gateway) serves SNS over HTTPS. */
export const handler = async (
  event: APIGatewayProxyEventV2 | SNSEvent,
): Promise<Awaited<ReturnType<typeof http>> | undefined> => {
  if (isSnsEvent(event)) {
    await handleSnsEvent(event, deps);
    return undefined;
  }
  return http(event);
};
