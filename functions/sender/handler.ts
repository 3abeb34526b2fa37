import { createSenderHandler } from '#shared/lambda/sender-handler.js';

/** SQS → sender → providers; the provider secrets are read once, at cold start. */
export const handler = await createSenderHandler();
