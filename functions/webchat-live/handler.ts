import { webchatLiveHandler } from '#shared/lambda/webchat-live.js';

/** The visitors' WebSocket API: `$connect`, `$disconnect` and `$default` (ping, read). */
export const handler = await webchatLiveHandler();
