import { createEventsHandler } from '#shared/lambda/events-handler.js';

/** DynamoDB Streams (the change feed) → integrator events → the webhook delivery queue. */
export const handler = createEventsHandler();
