import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { PayloadTooLargeError, UnauthorizedError } from '#shared/errors.js';
import { notFound, onError } from '#shared/http/on-error.js';
import { agentsApp } from './agents.js';
import { auditApp } from './audit.js';
import { automationsApp } from './automations.js';
import { consoleApp } from './console.js';
import { conversationsApp } from './conversations.js';
import { customerMergesApp } from './customer-merges.js';
import { customersApp } from './customers.js';
import type { AgentAppDeps } from './deps.js';
import { docsApp, PUBLIC_PATHS } from './docs.js';
import { eventsApp } from './events.js';
import { exportsApp } from './exports.js';
import { metricsApp } from './metrics.js';
import { outboxApp } from './outbox.js';
import { type AgentEnv, createRouter } from './router.js';
import { webhooksApp } from './webhooks.js';

/** The largest request body: a reply is at most 64 Ki characters of text, ten attachments and a template. */
const MAX_BODY_BYTES = 1_048_576;

/** Sets the calling agent and their role from a valid bearer token; anything else is a 401 before any route runs. */
function bearerAuth(authenticate: AgentAppDeps['authenticate']) {
  return createMiddleware<AgentEnv>(async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([^\s]{1,4096})$/.exec(header);
    const caller = match?.[1] ? await authenticate(match[1]) : undefined;
    if (!caller) throw new UnauthorizedError('missing or invalid bearer token');
    c.set('agentId', caller.agentId);
    c.set('admin', caller.admin);
    await next();
  });
}

/**
 * The agent API under `/api`: bearer-token auth, stable JSON errors, `{items, cursor}` lists, and its
 * OpenAPI document at `/api/openapi.json`.
 */
export function createAgentApp(deps: AgentAppDeps): OpenAPIHono<AgentEnv> {
  const app = createRouter();
  app.onError(onError);
  app.notFound(notFound);
  app.route('/api', docsApp(app));
  if (deps.console) app.route('/', consoleApp(deps.console));
  app.use('/api/*', bearerAuth(deps.authenticate));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`body over ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  if (deps.webhooks) app.route('/api', webhooksApp(deps, deps.webhooks));
  if (deps.live) app.route('/api', eventsApp(deps, deps.live));
  return app
    .route('/api', customersApp(deps))
    .route('/api', customerMergesApp(deps))
    .route('/api', conversationsApp(deps))
    .route('/api', automationsApp(deps))
    .route('/api', agentsApp(deps))
    .route('/api', metricsApp(deps))
    .route('/api', auditApp(deps))
    .route('/api', exportsApp(deps))
    .route('/api', outboxApp(deps));
}
