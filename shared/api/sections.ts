import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AgentAppDeps } from './deps.js';
import type { AgentEnv } from './router.js';

/**
 * A part of the agent API: the path prefixes under `/api` it answers, and its sub-apps, whose modules
 * (route schemas, use cases) are imported by the first call of `subApps`, not at cold start.
 */
export interface ApiSection {
  readonly prefixes: readonly string[];
  subApps(): Promise<ReadonlyArray<OpenAPIHono<AgentEnv>>>;
}

/**
 * The agent API's documented routes by section, in the OpenAPI document's order. The webhook routes
 * need `deps.webhooks` and `/events` needs `deps.live`; without them they are absent, as before.
 */
export function apiSections(deps: AgentAppDeps): ApiSection[] {
  const { webhooks, live } = deps;
  const sections: ApiSection[] = [];
  if (webhooks) {
    sections.push({
      prefixes: ['/webhooks'],
      subApps: async () => [(await import('./webhooks.js')).webhooksApp(deps, webhooks)],
    });
  }
  if (live) {
    sections.push({
      prefixes: ['/events'],
      subApps: async () => [(await import('./events.js')).eventsApp(deps, live)],
    });
  }
  sections.push(
    {
      prefixes: ['/customers'],
      subApps: async () => {
        const { customersApp } = await import('./customers.js');
        const { customerMergesApp } = await import('./customer-merges.js');
        return [customersApp(deps), customerMergesApp(deps)];
      },
    },
    {
      prefixes: ['/conversations'],
      subApps: async () => [(await import('./conversations.js')).conversationsApp(deps)],
    },
    {
      prefixes: ['/automations'],
      subApps: async () => [(await import('./automations.js')).automationsApp(deps)],
    },
    { prefixes: ['/agents', '/me'], subApps: async () => [(await import('./agents.js')).agentsApp(deps)] },
    { prefixes: ['/metrics'], subApps: async () => [(await import('./metrics.js')).metricsApp(deps)] },
    { prefixes: ['/audit'], subApps: async () => [(await import('./audit.js')).auditApp(deps)] },
    { prefixes: ['/exports'], subApps: async () => [(await import('./exports.js')).exportsApp(deps)] },
  );
  return sections;
}
