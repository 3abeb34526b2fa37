import * as z from 'zod';
import type { ProviderHttpRequest } from '../../domain/outbound.js';
import { RetryableSendError } from '../../domain/send-errors.js';

/** A Graph API version as Meta names them (`v23.0`). */
export const GRAPH_API_VERSION = /^v\d{1,3}\.\d{1,2}$/;

/** The origin Graph calls go to: META_GRAPH_URL when set (a local fake), with no trailing slash, else `host`. */
export function graphOrigin(configured: string | undefined, host: string): string {
  return configured ? configured.replace(/\/$/, '') : host;
}

/**
 * A Graph API error body. Act on `code` (and `error_subcode` where Meta still sends one); `message` and
 * `details` are never copied into our errors, because they may quote request values.
 */
export const GraphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/**
 * One Graph API call with a time limit: the response and its JSON body (undefined when it has none).
 * A network failure or a timeout is a RetryableSendError naming `product`.
 */
export async function callGraph(
  fetcher: typeof fetch,
  request: ProviderHttpRequest,
  options: { timeoutMs: number; product: string },
): Promise<{ response: Response; answer: unknown }> {
  const { url, ...init } = request;
  let response: Response;
  try {
    response = await fetcher(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    const failure = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error';
    throw new RetryableSendError(`${options.product} did not answer (${failure}); will retry`, {
      cause: error,
    });
  }
  let answer: unknown;
  try {
    answer = JSON.parse(await response.text());
  } catch {
    answer = undefined;
  }
  return { response, answer };
}
