import { Hono } from 'hono';
import { removalGate } from '#shared/app/refuse-removed-agents.js';
import type { AgentStore } from '#shared/domain/agent-ports.js';
import { once } from '#shared/domain/on-first-use.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import { strictTransport } from '#shared/http/answer-headers.js';
import { notFoundOrNotAllowed, onError } from '#shared/http/on-error.js';
import { consoleApp } from './console.js';
import type { AgentAppDeps } from './deps.js';
import { docsApp } from './docs.js';
import { apiAnswerHeaders, guardApi } from './guard.js';
import { healthApp } from './health.js';
import { forwardTo } from './lazy-app.js';
import { type MediaDeps, mediaApp } from './media.js';
import { outboxApp } from './outbox.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSections } from './sections.js';
import { filesApp } from './uploads.js';

/**
 * A Hono app with the agent API's error answers: stable JSON errors, a JSON 404, and a 405 with `Allow`
 * for a path it has with another method.
 */
function agentRouter(): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  app.onError(onError);
  app.notFound(notFoundOrNotAllowed(app));
  return app;
}

/**
 * The agent API under `/api`: bearer-token auth (an agent an admin removed refused), stable JSON errors, `{items, cursor}` lists, and its
 * OpenAPI document at `/api/openapi.json`. Each section (customers, conversations, ...) is built on the
 * first request under its prefix, behind the same auth and body limit: a cold start builds none of
 * the routes' schemas, and a request builds only its section's.
 */
export function createAgentApp(input: AgentAppDeps): Hono<AgentEnv> {
  const removals = input.removals ?? removalGate(input);
  const deps = { ...input, cursors: input.cursors ?? pageCursors(undefined), removals };
  const sections = apiSections(deps).map((s) => ({ prefixes: s.prefixes, subApps: once(s.subApps) }));
  const app = agentRouter();
  // Every answer, the console's, /api's, /files' and (on AWS, routed after) the survey page's.
  app.use('*', strictTransport);
  app.use('/api/*', apiAnswerHeaders);
  // For uptime monitors: no token, before the guard.
  if (deps.health) app.route('/', healthApp(deps.health));
  app.route(
    '/api',
    docsApp(() => {
      const api = createRouter();
      for (const section of sections) for (const sub of section.subApps()) api.route('/api', sub);
      return api;
    }),
  );
  if (deps.console) app.route('/', consoleApp(deps.console));
  // Agents' reply files, for providers and customers: no token (the file's random id is the secret).
  if (deps.uploads) app.route('/', filesApp({ uploads: deps.uploads, clock: deps.clock }));
  for (const section of sections) {
    const forward = forwardTo(
      once(() => {
        const part = agentRouter();
        guardApi(part, deps.authenticate, removals);
        for (const sub of section.subApps()) part.route('/api', sub);
        return part;
      }),
    );
    for (const prefix of section.prefixes) app.all(`/api${prefix}`, forward).all(`/api${prefix}/*`, forward);
  }
  guardApi(app, deps.authenticate, removals);
  app.route('/api', outboxApp(deps));
  // Last, as a route: the local runtime mounts this app in its own (`route`), which keeps routes, not
  // the 404 handler, so `POST /api/openapi.json` is a 405 there too.
  return app.all('/api/*', notFoundOrNotAllowed(app));
}

/** What the file routes alone need: their reads, the removal records, the clock, the sign-in check, the fetcher. */
export type MediaAppDeps = MediaDeps &
  Pick<AgentAppDeps, 'clock' | 'authenticate' | 'removals'> & {
    store: MediaDeps['store'] & Pick<AgentStore, 'isAgentRemoved'>;
  };

/**
 * The agent API's two file routes (`/api/customers/{id}/timeline/{itemId}/attachments/{index}` and
 * `.../recording`) as an app of their own, behind the same guard as every `/api` route (the bearer
 * token, a removed agent refused, the body limit) and with the same error answers. On AWS they run in
 * their own function, the only agent-facing one that reads the provider credentials; `createAgentApp`
 * keeps them too (the local runtime, the OpenAPI document).
 */
export function createMediaApp(input: MediaAppDeps): Hono<AgentEnv> {
  const removals = input.removals ?? removalGate(input);
  const app = agentRouter();
  app.use('*', strictTransport);
  app.use('/api/*', apiAnswerHeaders);
  guardApi(app, input.authenticate, removals);
  app.route('/api', mediaApp(input));
  return app.all('/api/*', notFoundOrNotAllowed(app));
}
