import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { readMetrics } from '#shared/app/read-metrics.js';
import { once } from '#shared/domain/on-first-use.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const metricRoutes = once(() => {
  const { MetricsQuerySchema } = apiSchemas();
  const metrics = createRoute({
    method: 'get',
    path: '/metrics',
    summary:
      "AI resolution rate (messages the AI answered / messages routed), hand-off reasons, first response time, channel-switch rate; overall also `sla`: each target's met, missed and share met, by queue, channel, agent and AI: overall for a range of UTC days (?from=&to=, inclusive, at most 366 days; the last 30 days by default), or for one customer with ?customerId= (their whole history, or the range when one is given)",
    request: { query: MetricsQuerySchema },
    responses: { 200: { description: 'the figures' }, ...errors(400, 401, 404) },
  });
  return { metrics };
});

/** `/api/metrics`: the figures, overall or for one customer. */
export function metricsApp(deps: AgentAppDeps): OpenAPIHono<AgentEnv> {
  const { metrics } = metricRoutes();
  return createRouter().openapi(metrics, async (c) =>
    c.json(await readMetrics(deps, c.req.valid('query')), 200),
  );
}
