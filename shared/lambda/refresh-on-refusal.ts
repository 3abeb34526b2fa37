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
  let refreshedAt = now();
  return async (event) => {
    const result = await current(event);
    if (result.statusCode !== 401 && result.statusCode !== 403) return result;
    if (now() - refreshedAt < REFRESH_EVERY_MS) return result;
    refreshedAt = now();
    try {
      current = await rebuild();
    } catch (err) {
      logger.warn('secret not read again after a refused signature', { error: String(err) });
      return result;
    }
    logger.info('secret read again after a refused signature');
    return current(event);
  };
}
