import type { MiddlewareHandler } from 'hono';

/**
 * A year of https only. A browser keeps it only from an answer it got over https (API Gateway's, on
 * AWS) and ignores it over http, so the local runtime's plain http is untouched by it.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/** `Strict-Transport-Security` on every answer of the app that uses it, refusals and 404s included. */
export const strictTransport: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
};

/**
 * The headers of answers that hold personal data (an agent's `/api`, a visitor's web-chat session and
 * history), refusals included: `X-Content-Type-Options: nosniff`, and `Cache-Control: no-store` unless
 * the route chose its own (a file's `private, max-age=300`, the opening hours' minute), so no cache
 * keeps them.
 */
export const privateAnswerHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
};
