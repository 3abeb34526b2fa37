import type { OpenAPIHono } from '@hono/zod-openapi';
import { agentsApp } from './agents.js';
import { auditApp } from './audit.js';
import { automationsApp } from './automations.js';
import { conversationsApp } from './conversations.js';
import { csatResponsesApp } from './csat-responses.js';
import { customerImportApp } from './customer-import.js';
import { customerMergesApp } from './customer-merges.js';
import { customersApp } from './customers.js';
import type { ApiDeps } from './deps.js';
import { eventsApp } from './events.js';
import { exportsApp } from './exports.js';
import { mediaApp } from './media.js';
import { metricsApp } from './metrics.js';
import { policyApp } from './policy.js';
import type { AgentEnv } from './router.js';
import { uploadsApp } from './uploads.js';
import { webhooksApp } from './webhooks.js';

/**
 * A part of the agent API: the path prefixes under `/api` it answers, and its sub-apps, whose routes
 * (and their schemas) are built by the first call of `subApps`, not at cold start.
 */
export interface ApiSection {
  readonly prefixes: readonly string[];
  subApps(): ReadonlyArray<OpenAPIHono<AgentEnv>>;
}

/**
 * The agent API's documented routes by section, in the OpenAPI document's order. The webhook routes
 * need `deps.webhooks` and `/events` needs `deps.live`; without them they are absent, as before.
 */
export function apiSections(deps: ApiDeps): ApiSection[] {
  const { webhooks, live, uploads } = deps;
  return [
    ...(webhooks ? [{ prefixes: ['/webhooks'], subApps: () => [webhooksApp(deps, webhooks)] }] : []),
    ...(live ? [{ prefixes: ['/events'], subApps: () => [eventsApp(deps, live)] }] : []),
    {
      prefixes: ['/customers'],
      subApps: () => [customerImportApp(deps), customersApp(deps), customerMergesApp(deps), mediaApp(deps)],
    },
    { prefixes: ['/conversations'], subApps: () => [conversationsApp(deps)] },
    { prefixes: ['/automations'], subApps: () => [automationsApp(deps)] },
    { prefixes: ['/agents', '/me'], subApps: () => [agentsApp(deps)] },
    { prefixes: ['/metrics'], subApps: () => [metricsApp(deps)] },
    { prefixes: ['/csat'], subApps: () => [csatResponsesApp(deps)] },
    { prefixes: ['/policy'], subApps: () => [policyApp(deps)] },
    { prefixes: ['/audit'], subApps: () => [auditApp(deps)] },
    { prefixes: ['/exports'], subApps: () => [exportsApp(deps)] },
    ...(uploads ? [{ prefixes: ['/uploads'], subApps: () => [uploadsApp({ ...deps, uploads })] }] : []),
  ];
}
