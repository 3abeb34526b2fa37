import { sesWebhookHandler } from '#shared/lambda/webhook-ses-handler.js';

/** SNS invokes the function directly on AWS; the HTTP route (API Gateway) serves SNS over HTTPS. */
export const handler = await sesWebhookHandler();
