import type { APIGatewayProxyEventV2, SNSEvent } from 'aws-lambda';
import { sqsSendMessageBatch } from '#shared/aws/sqs-lite.js';
import { createSesWebhook, handleSnsEvent, isSnsEvent, snsHttpDeps } from '#shared/channels/ses/webhook.js';
import { systemClock } from '#shared/domain/ports.js';
import { SqsMailQueue } from '#shared/queue/sqs-mail-queue.js';
import { type WebhookHandler, webhookConfig } from './webhook-handler.js';
import { lambdaWebhook } from './webhook-lambda.js';

/** The SES webhook's handler: an SNS event (answered with nothing) or an API Gateway request. */
export type SesWebhookHandler = (
  event: APIGatewayProxyEventV2 | SNSEvent,
) => Promise<Awaited<ReturnType<WebhookHandler>> | undefined>;

/**
 * The SES webhook as a Lambda handler: on AWS, SNS invokes the function directly; the HTTP route (API
 * Gateway) serves SNS over HTTPS. Both put verified notifications on the mail queue.
 */
export async function sesWebhookHandler(): Promise<SesWebhookHandler> {
  const config = await webhookConfig(['MAIL_QUEUE_URL', 'SNS_TOPIC_ARNS']);
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
  return async (event) => {
    if (isSnsEvent(event)) {
      await handleSnsEvent(event, deps);
      return undefined;
    }
    return http(event);
  };
}
