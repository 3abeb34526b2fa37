import type { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { RemovalGate } from '#shared/app/refuse-removed-agents.js';
import { ForbiddenError, UnauthorizedError } from '#shared/errors.js';
import { privateAnswerHeaders } from '#shared/http/answer-headers.js';
import { limitBody } from '#shared/http/body-limit.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, recordRefusals } from './router.js';

/** The largest request body: a reply is at most 64 Ki characters of text, ten attachments and a template. */
const MAX_BODY_BYTES = 1_048_576;

/** The paths `docsApp` serves without a token. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/api/openapi.json', '/api/docs']);

/**
 * The token of an `Authorization: Bearer <token>` header, or undefined. The scheme is case-insensitive
 * (RFC 9110 §11.1: `bearer` is `Bearer`), with as many spaces before the token as sent; the token's
 * class excludes the space, so the match stays linear on any header.
 */
export function bearerToken(header: string): string | undefined {
  return /^Bearer +([^\s]{1,4096})$/i.exec(header)?.[1];
}

/**
 * Refuses an agent an admin removed (403 `agent_removed`): a valid token of theirs is not enough until
 * an admin restores them. Runs after the caller is set and after `recordRefusals`, so the refusal's log
 * line names them and an attempt at an audited call is recorded.
 */
function refuseRemoved(gate: Pick<RemovalGate, 'isRemoved'>) {
  return createMiddleware<AgentEnv>(async (c, next) => {
    const agentId = c.get('agentId');
    if (agentId !== undefined && (await gate.isRemoved(agentId))) {
      throw new ForbiddenError('an admin removed this agent: ask an admin to restore you', 'agent_removed');
    }
    await next();
  });
}

/** The `WWW-Authenticate` challenge of a 401. */
const CHALLENGE = 'Bearer realm="threadline"';

/** Sets the calling agent and their role from a valid bearer token; anything else is a 401 before any route runs. */
function bearerAuth(authenticate: AgentAppDeps['authenticate']) {
  return createMiddleware<AgentEnv>(async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const token = bearerToken(c.req.header('authorization') ?? '');
    const caller = token ? await authenticate(token) : undefined;
    if (!caller) {
      // RFC 6750 §3: the challenge, with `invalid_token` only when a token was sent.
      c.header('WWW-Authenticate', token ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE);
      throw new UnauthorizedError('missing or invalid bearer token');
    }
    c.set('agentId', caller.agentId);
    c.set('admin', caller.admin);
    await next();
  });
}

/**
 * The headers of every `/api` answer, refusals included: `X-Content-Type-Options: nosniff`, and
 * `Cache-Control: no-store` unless the route chose its own (the files' `private, max-age=300`, the
 * docs page's): the answers hold customers' personal data, which no cache may keep.
 */
export const apiAnswerHeaders = createMiddleware<AgentEnv>(privateAnswerHeaders);

/**
 * What runs before every `/api` route: the bearer-token check, the audit record of an audited call
 * refused before its route's checks (403, 413), a removed agent's refusal, then the body limit (413).
 * The agent app and each of its lazily built parts put the same four in front of their routes.
 */
export function guardApi(
  app: Hono<AgentEnv>,
  authenticate: AgentAppDeps['authenticate'],
  removals: Pick<RemovalGate, 'isRemoved'>,
): void {
  app.use('/api/*', bearerAuth(authenticate));
  app.use('/api/*', recordRefusals);
  app.use('/api/*', refuseRemoved(removals));
  app.use('/api/*', limitBody(MAX_BODY_BYTES));
}
