import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { readMetrics } from '#shared/app/read-metrics.js';
import { once } from '#shared/domain/on-first-use.js';
import { RouteReasonSchema } from '#shared/domain/routing/decision.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json } from './schemas.js';

/** The answer of GET /api/metrics as the document shows it (the figures are typed in shared/domain/metrics.ts). */
function metricsAnswerSchema() {
  const share = z.number().nullable();
  const target = z.object({ met: z.number(), missed: z.number(), share });
  const response = target.extend({
    resolvedUnanswered: z.number().meta({
      description: 'ended by a resolve with nobody having answered: neither met nor missed',
    }),
  });
  const targets = z.object({ firstResponse: response, nextResponse: response, resolution: target });
  const by = <T extends z.ZodType>(figures: T) => z.record(z.string(), figures);
  /** The figures, then the same by queue, channel, agent and AI. */
  const broken = <T extends z.ZodObject>(figures: T) =>
    figures.extend({ byQueue: by(figures), byChannel: by(figures), byAgent: by(figures), byAi: by(figures) });
  const scores = z.object({
    count: z.number(),
    average: share,
    distribution: z.record(z.string(), z.number()).meta({ description: 'answers per score, 1 to 5' }),
  });
  const times = z.object({ median: share, mean: share, conversations: z.number() });
  const figures = z.object({
    routed: z.number(),
    aiResolutionRate: share,
    handoffReasons: z.partialRecord(RouteReasonSchema, z.number()).meta({
      description: 'hand-offs to a person by the routing rule that made them',
    }),
    firstResponseMs: times.meta({ description: "to the first reply, the AI's included" }),
    firstHumanResponseMs: times.meta({
      description:
        'to the first reply a person gave (what the first-response target measures when the AI does not count)',
    }),
    channelSwitchRate: share,
    sla: broken(targets).optional().meta({ description: 'overall figures only' }),
    csat: broken(scores)
      .extend({
        sent: z
          .number()
          .optional()
          .meta({ description: 'surveys sent in the range (the days they were due)' }),
        skipped: z.record(z.string(), z.number()).optional().meta({
          description: 'surveys not sent, by reason (`unanswered`, `messaging_window_closed`, ...)',
        }),
        responseRate: share
          .optional()
          .meta({ description: 'answers (`count`) / `sent`; null when none was sent' }),
      })
      .optional()
      .meta({ description: 'overall figures only' }),
  });
  const day = z.string().meta({ description: 'a day, yyyy-mm-dd: UTC, or of `tz`' });
  const tz = z.string().optional().meta({ description: 'the time zone asked for, whose days these are' });
  return z.union([
    z.object({ overall: figures, from: day, to: day, tz }),
    z.object({
      customerId: z.string(),
      metrics: figures,
      from: day.optional(),
      to: day.optional(),
      tz,
      truncated: z.literal(true).optional().meta({
        description:
          'the read stopped at its item limit (10,000): the figures cover the items up to `reachedAt`',
      }),
      reachedAt: z
        .string()
        .optional()
        .meta({ description: 'the time of the last item read, when truncated' }),
    }),
  ]);
}

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const metricRoutes = once(() => {
  const { MetricsQuerySchema } = apiSchemas();
  const metrics = createRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary:
      "AI resolution rate (messages the AI answered / messages routed), hand-off reasons, first response time, channel-switch rate; overall also `sla`: each target's met, missed and share met, by queue, channel, agent (an admin sees every agent's, an agent only their own) and AI: overall for a range of days (?from=&to=, inclusive, at most 366 days; the last 30 days by default), UTC days or with ?tz= a time zone's, or for one customer with ?customerId= (their whole history, or the range when one is given)",
    request: { query: MetricsQuerySchema },
    responses: {
      200: json("the overall figures of the range, or one customer's", metricsAnswerSchema()),
      ...errors(400, 401, 404, 410),
    },
  });
  return { metrics };
});

/** `/api/metrics`: the figures, overall or for one customer. */
export function metricsApp(deps: AgentAppDeps): OpenAPIHono<AgentEnv> {
  const { metrics } = metricRoutes();
  return createRouter().openapi(metrics, async (c) => {
    const viewer = { agentId: c.get('agentId'), admin: c.get('admin') };
    return c.json(await readMetrics(deps, c.req.valid('query'), viewer), 200);
  });
}
