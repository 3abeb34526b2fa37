import { createLiveStreamHandler } from '#shared/lambda/live-handler.js';

/** DynamoDB Streams (the change feed) → live events kept and pushed to every open socket. */
export const handler = await createLiveStreamHandler();
