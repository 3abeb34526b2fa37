import { createLiveSocketHandler } from '#shared/lambda/live-handler.js';

/** API Gateway WebSocket ($connect, $disconnect, $default) → agents' live sockets. */
export const handler = await createLiveSocketHandler();
