import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { auditedPage } from '#shared/app/audited-read.js';
import { readCsatResponses } from '#shared/app/read-csat-responses.js';
import { ChannelSchema } from '#shared/domain/envelope.js';
import { once } from '#shared/domain/on-first-use.js';
import { wholeNumber } from '#shared/domain/whole-number.js';
import type { ApiDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

/** One answer as the list shows it. */
const responseSchema = () =>
  z.object({
    surveyId: z.string(),
    conversationId: z.string(),
    customerId: z.string(),
    customerName: z.string().optional(),
    score: z.number().int().min(1).max(5),
    comment: z.string().optional(),
    channel: ChannelSchema,
    answeredAt: z.string(),
    agent: z.string().optional().meta({
      description:
        'the agent the metrics credit the answer to (the assignee then; once nobody had it, who last answered it)',
    }),
    ai: z.boolean().meta({ description: 'only the AI had answered and nobody held the conversation' }),
  });

/** The routes' declarations, built with the first sub-app rather than at import. */
const csatRoutes = once(() => {
  const { MetricsQuerySchema, PageQuerySchema } = apiSchemas();
  const query = PageQuerySchema.extend({
    from: MetricsQuerySchema.shape.from,
    to: MetricsQuerySchema.shape.to,
    tz: MetricsQuerySchema.shape.tz,
    maxScore: wholeNumber('maxScore', 1, 5)
      .optional()
      .meta({ description: 'only answers scoring at most this (1 to 5)' }),
    withComment: z
      .enum(['true', 'false'], { error: 'withComment must be true or false' })
      .optional()
      .meta({ description: '`true`: only answers with a comment; `false`: only those without' }),
  });
  const responses = createRoute({
    method: 'get',
    path: '/csat/responses',
    operationId: 'listCsatResponses',
    summary:
      "The survey answers of a range of days (?from=&to=&tz=, as the metrics': the last 30 days by default, at most 366), newest first, a page at a time; each with its customer's name and the agent the metrics credit (an admin sees every answer, an agent those credited to them); erased customers' answers are not listed",
    request: { query },
    responses: {
      200: json(
        'a page of answers and the range read',
        page(responseSchema()).extend({ from: z.string(), to: z.string(), tz: z.string().optional() }),
      ),
      ...errors(400, 401),
    },
  });
  return { responses };
});

/** `/api/csat/responses`: the survey answers, for whoever may read the metrics. */
export function csatResponsesApp(deps: ApiDeps): OpenAPIHono<AgentEnv> {
  const { responses } = csatRoutes();
  return createRouter().openapi(responses, async (c) => {
    const viewer = { agentId: c.get('agentId'), admin: c.get('admin') };
    const { withComment, ...asked } = c.req.valid('query');
    const query = { ...asked, ...(withComment ? { withComment: withComment === 'true' } : {}) };
    // Customers' names, scores and comments: a page over 50 is audited, one record a request.
    const read = { agentId: viewer.agentId, action: 'csat_list' as const, query: c.req.valid('query') };
    return c.json(await auditedPage(deps, read, () => readCsatResponses(deps, query, viewer)), 200);
  });
}
