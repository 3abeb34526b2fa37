import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../log.js';

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** How often at most a refused signature makes a container read the provider secret again. */
export const REFRESH_EVERY_MS = 60_000;

/**
 * A webhook handler that reads its secret again when a signature is refused (401 or 403), at most
 * once a minute per container: after a rotation, the provider signs with the new value while a warm
 * container still holds the old one, and Twilio does not retry a refused SMS. The refused request is
 * then checked once more by the rebuilt handler (a refusal is answered before anything is queued, so
 * checking it again repeats nothing), and the rebuilt handler serves from then on. A rebuild that fails
 * keeps the handler there is and answers the refusal.
 */
export function refreshOnRefusal(
  first: Handler,
  rebuild: () => Promise<Handler>,
  now: () => number = Date.now,
): Handler {
  let current = first;
  const again = rebuildAtMostOnceAMinute(rebuild, 'secret not read again after a refused signature', now);
  return async (event) => {
    const result = await current(event);
    if (result.statusCode !== 401 && result.statusCode !== 403) return result;
    const rebuilt = await again();
    if (!rebuilt) return result;
    current = rebuilt;
    logger.info('secret read again after a refused signature');
    return current(event);
  };
}

/**
 * `rebuild` run at most once per REFRESH_EVERY_MS a container (the first window counted from now), as a
 * refusal asks: what it built, or undefined within the window or when it failed (logged as `failed`,
 * with `fields` and the error). The webhooks' handler and the sender's adapters are rebuilt so.
 */
export function rebuildAtMostOnceAMinute<T>(
  rebuild: () => Promise<T>,
  failed: string,
  now: () => number,
): (fields?: Record<string, unknown>) => Promise<T | undefined> {
  let refreshedAt = now();
  return async (fields = {}) => {
    if (now() - refreshedAt < REFRESH_EVERY_MS) return undefined;
    refreshedAt = now();
    try {
      return await rebuild();
    } catch (err) {
      logger.warn(failed, { ...fields, error: String(err) });
      return undefined;
    }
  };
}
