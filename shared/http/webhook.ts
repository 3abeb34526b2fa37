import { PayloadTooLargeError, ValidationError } from '../errors.js';
import { errorFields, logger } from '../log.js';
import { errorBody, knownErrorAnswer } from './error-status.js';

/**
 * A webhook request as a transport hands it over: API Gateway's event on Lambda (webhook-lambda.ts),
 * a fetch Request locally (webhook-hono.ts). Plain data, so the Lambda path builds no Request or
 * Response objects: they cost more than verifying and normalising a delivery.
 */
export interface WebhookRequest {
  method: string;
  /** The path alone, to pick the route. */
  path: string;
  /** The absolute URL the caller used, with its query (Twilio signs it). */
  url: string;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  body: Uint8Array;
  /**
   * The body as text, when it arrived as text (API Gateway hands a non-binary body over as a string):
   * exactly what decoding `body` as UTF-8 gives, so a caller skips decoding bytes it was just given
   * as a string. Undefined otherwise; the caller decodes `body`.
   */
  text?: string;
}

/** The answer; `body` is text (empty TwiML, a challenge, `OK`, a JSON error). */
export interface WebhookResponse {
  status: number;
  contentType?: string;
  body?: string;
}

/** One route of a webhook function. */
export interface WebhookRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(req: WebhookRequest): Promise<WebhookResponse> | WebhookResponse;
}

/** A webhook function: its routes and its body limit, served the same way on Lambda and locally. */
export interface Webhook {
  readonly routes: readonly WebhookRoute[];
  readonly maxBodyBytes: number;
  /** Routes the request and answers it; never throws (errors become their status and a log line). */
  handle(req: WebhookRequest): Promise<WebhookResponse>;
}

/** Answers `text` with a status (and text/plain, as providers expect for acknowledgements). */
export function text(
  status: number,
  body: string,
  contentType = 'text/plain; charset=UTF-8',
): WebhookResponse {
  return { status, contentType, body };
}

/**
 * The body parsed as JSON: `text` when the transport gave it, else `body` decoded as UTF-8. A body
 * that is not UTF-8 JSON is a ValidationError ('body is not JSON', 400).
 */
export function jsonBody(req: WebhookRequest): unknown {
  try {
    return JSON.parse(req.text ?? decodeUtf8(req.body));
  } catch (error) {
    throw new ValidationError('body is not JSON', { cause: error });
  }
}

/** Fatal: a body that is not valid UTF-8 is refused rather than read with replacement characters. */
let utf8: InstanceType<typeof TextDecoder> | undefined;

/** Made on first use: a webhook whose bodies arrive as text never builds one. */
function decodeUtf8(bytes: Uint8Array): string {
  utf8 ??= new TextDecoder('utf-8', { fatal: true });
  return utf8.decode(bytes);
}

/** A JSON error answer. */
function jsonError(status: number, code: string, message: string): WebhookResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(errorBody(code, message)) };
}

/**
 * The query of a URL as name → first value (a repeated name keeps its first value, as Hono's
 * `c.req.query()` does).
 */
export function queryOf(url: string): Record<string, string> {
  const query: Record<string, string> = {};
  const start = url.indexOf('?');
  if (start < 0) return query;
  for (const [name, value] of new URLSearchParams(url.slice(start + 1))) {
    if (!(name in query)) query[name] = value;
  }
  return query;
}

/**
 * A webhook over its routes: an unknown route is 404, a body over `maxBodyBytes` is 413 before any
 * route sees it, our errors keep their status and code, anything else is a 500 with a generic body
 * (details in the log line, which names the route pattern, never the path or the body).
 */
export function createWebhook(routes: readonly WebhookRoute[], maxBodyBytes: number): Webhook {
  const byKey = new Map(routes.map((route) => [`${route.method} ${route.path}`, route]));
  return {
    routes,
    maxBodyBytes,
    async handle(req) {
      const route = byKey.get(`${req.method} ${req.path}`);
      if (!route) return jsonError(404, 'not_found', 'no such route');
      try {
        if (req.body.byteLength > maxBodyBytes) {
          throw new PayloadTooLargeError(`body over ${maxBodyBytes} bytes`);
        }
        return await route.handle(req);
      } catch (error) {
        return errorResponse(error, route.path);
      }
    },
  };
}

/** Maps an error to its answer and logs it, as the agent API's onError does. */
function errorResponse(error: unknown, route: string): WebhookResponse {
  const known = knownErrorAnswer(error, { route });
  if (known)
    return { status: known.status, contentType: 'application/json', body: JSON.stringify(known.body) };
  logger.error('unhandled error', { route, ...errorFields(error) });
  return jsonError(500, 'internal', 'internal error');
}
