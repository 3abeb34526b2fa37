import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../errors.js';

/**
 * Refuses a body over `maxBytes` with PayloadTooLargeError (413 through onError) while it is read, so an
 * oversized stream is never buffered whole: the agent API, the web chat and the local webhooks share it.
 */
export function limitBody(maxBytes: number, message = `body over ${maxBytes} bytes`): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(message);
    },
  });
}
