import { webchatLiveHandler } from '#shared/lambda/webchat-live.js';

/** The visitors' WebSocket API: `$connect` and `$disconnect`. */
export const handler = await webchatLiveHandler();
