import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type * as z from 'zod';
import { type EndSockets, endWebchatSession } from '#shared/app/end-webchat-session.js';
import { listWebchatMessages } from '#shared/app/list-webchat-messages.js';
import { markWebchatRead } from '#shared/app/mark-webchat-read.js';
import { postWebchatMessage } from '#shared/app/post-webchat-message.js';
import { startWebchatSession } from '#shared/app/start-webchat-session.js';
import { MAX_SEALED_CURSOR, pageCursors } from '#shared/domain/page-cursor.js';
import { availabilityAt } from '#shared/domain/webchat/availability.js';
import { CHAT_PAGE_FRAGMENT, chatPageLink } from '#shared/domain/webchat/chat-page.js';
import { pageLanguageOf } from '#shared/domain/webchat/page-language.js';
import {
  MessageRequestSchema,
  ReadRequestSchema,
  SessionRequestSchema,
  WEBCHAT_BODY_MAX_BYTES,
} from '#shared/domain/webchat/requests.js';
import { bearerSessionToken } from '#shared/domain/webchat/session.js';
import type { WebchatDeps } from '#shared/domain/webchat-ports.js';
import {
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#shared/errors.js';
import { privateAnswerHeaders, strictTransport } from '#shared/http/answer-headers.js';
import { limitBody } from '#shared/http/body-limit.js';
import { isJsonMediaType } from '#shared/http/json-media-type.js';
import { notFound, onError } from '#shared/http/on-error.js';
import { log } from '#shared/log.js';
import { parseWellFormedJson } from '#shared/validation/well-formed-json.js';
import { type WebchatAssets, widgetRoutes } from './assets.js';
import { refusedOriginLog } from './refused-origins.js';

/** What the public web-chat routes need beyond the use cases' ports. */
export interface WebchatAppDeps extends WebchatDeps {
  /** WEBCHAT_ALLOWED_ORIGINS: the only origins whose pages may call the routes (CORS). */
  allowedOrigins: readonly string[];
  /** The caller's address (the client IP), for the per-address limits. */
  addressOf(c: Context): string;
  /** The built widget: the loader and the panel's hashed asset. */
  assets?: WebchatAssets | undefined;
  /** Closes an ended session's live sockets at once (locally the sockets; on AWS DELETE @connections/<id>). */
  endSockets?: EndSockets | undefined;
}

/**
 * The body as JSON, validated: sent as JSON (the widget's calls all say `application/json`; it sends no
 * beacon) or refused 415 before it is read, as the agent API does; not UTF-8 JSON, or not the schema, 400.
 * Every string of it, keys included, is made well-formed as it is parsed (`parseWellFormedJson`).
 */
async function body<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  if (!isJsonMediaType(c.req.header('content-type'))) {
    throw new UnsupportedMediaTypeError('send the body as JSON, with Content-Type: application/json');
  }
  const bytes = await c.req.arrayBuffer();
  let value: unknown;
  try {
    value = parseWellFormedJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).value;
  } catch {
    throw new ValidationError('the body must be UTF-8 JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The request's session bearer header, checked before its body is read: 401 without one. */
function sessionAuthorization(c: Context): string {
  const authorization = c.req.header('authorization');
  if (!authorization || !bearerSessionToken(authorization))
    throw new UnauthorizedError('send Authorization: Bearer <sessionToken>');
  return authorization;
}

/**
 * The page a message says it came from, as kept on it: its origin and path when the origin is an
 * allowed one (the fallback email links to it), else nothing, with a log line; the message is taken
 * either way (Threadline's own demo page is not among the site's origins).
 */
function keptPage(page: string | undefined, allowedOrigins: readonly string[]): string | undefined {
  if (page === undefined) return undefined;
  const link = chatPageLink(page, allowedOrigins);
  if (!link) log('info', 'web-chat page not kept', { reason: 'not_an_allowed_origin' });
  return link?.slice(0, -CHAT_PAGE_FRAGMENT.length);
}

/** The page's language a message says it came from, as kept on it (see pageLanguageOf); else a log line. */
function keptLanguage(lang: string | undefined): string | undefined {
  if (lang === undefined) return undefined;
  const found = pageLanguageOf(lang);
  if ('language' in found) return found.language;
  log('info', 'web-chat page language not kept', { reason: found.refused });
  return undefined;
}

/**
 * The public web-chat routes, for visitors' browsers: sessions, messages (post and history) and read
 * receipts, and whether a person answers now (for the pre-chat form, before any session), with CORS only for WEBCHAT_ALLOWED_ORIGINS, bodies over 16 KiB refused (413), a JSON body
 * of the route's schema (400), a live session (401) and the rate limits (429 with Retry-After). The
 * widget's files are served beside them.
 */
export function createWebchatApp(deps: WebchatAppDeps): Hono {
  const cursors = deps.cursors ?? pageCursors(undefined);
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds));
    return onError(error, c);
  });
  app.notFound(notFound);
  const allowed = new Set(deps.allowedOrigins);
  const refused = refusedOriginLog(deps.allowedOrigins);
  // A session's token and a visitor's history are personal data: no cache keeps them, as /api's.
  app.use('*', strictTransport);
  app.use('/webchat/*', privateAnswerHeaders);
  app.use(
    '/webchat/*',
    cors({
      origin: (origin, c) => {
        if (allowed.has(origin)) return origin;
        // A same-origin page (the demo page the runtime serves) needs no CORS; no Origin, no page.
        if (origin !== '' && origin !== new URL(c.req.url).origin) refused(origin);
        return null;
      },
      allowMethods: ['GET', 'POST', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['Retry-After'],
      maxAge: 600,
    }),
  );
  const limit = limitBody(WEBCHAT_BODY_MAX_BYTES, `the body is over ${WEBCHAT_BODY_MAX_BYTES} bytes`);
  app.post('/webchat/sessions', limit, async (c) => {
    const request = await body(c, SessionRequestSchema);
    const at = { origin: c.req.header('origin'), self: new URL(c.req.url).origin };
    const started = { request, address: deps.addressOf(c), at };
    return c.json(await startWebchatSession(deps, started), 201);
  });
  app.delete('/webchat/sessions', async (c) => {
    await endWebchatSession(deps, { authorization: c.req.header('authorization') });
    return c.body(null, 204);
  });
  app.get('/webchat/availability', (c) => {
    c.header('Cache-Control', 'max-age=60');
    return c.json(availabilityAt(deps.hours, deps.clock.now(), deps.emailFallback !== false));
  });
  app.post('/webchat/messages', limit, async (c) => {
    const authorization = sessionAuthorization(c);
    const { page, lang, ...message } = await body(c, MessageRequestSchema);
    const address = deps.addressOf(c);
    const kept = keptPage(page, deps.allowedOrigins);
    const language = keptLanguage(lang);
    const taken = { ...message, ...(kept ? { page: kept } : {}), ...(language ? { lang: language } : {}) };
    const request = { authorization, address, message: taken };
    return c.json(await postWebchatMessage(deps, request), 202);
  });
  app.get('/webchat/messages', async (c) => {
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && cursor.length > MAX_SEALED_CURSOR)
      throw new ValidationError('cursor: too long');
    const order = c.req.query('order');
    if (order !== undefined && order !== 'oldest' && order !== 'newest')
      throw new ValidationError('order: oldest or newest');
    const authorization = c.req.header('authorization');
    return c.json(await listWebchatMessages({ ...deps, cursors }, { authorization, cursor, order }));
  });
  app.post('/webchat/read', limit, async (c) => {
    const authorization = sessionAuthorization(c);
    const { messageIds } = await body(c, ReadRequestSchema);
    return c.json(await markWebchatRead(deps, { authorization, messageIds }));
  });
  if (deps.assets) app.route('/', widgetRoutes(deps.assets));
  return app;
}
