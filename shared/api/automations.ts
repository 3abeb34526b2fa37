import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { dryRunAutomations } from '#shared/app/dry-run-automations.js';
import { DryRunSchema } from '#shared/domain/automations/dry-run.js';
import { once } from '#shared/domain/on-first-use.js';
import { UnavailableError } from '#shared/errors.js';
import type { AgentAppDeps } from './deps.js';
import { jsonBody, readJsonBody } from './json-body.js';
import { type AgentEnv, createRouter } from './router.js';
import { errors, json } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const automationRoutes = once(() => {
  const DryRunRequestSchema = z.strictObject({ conversationId: z.string().min(1).max(256) });

  const dryRun = createRoute({
    method: 'post',
    path: '/automations/dry-run',
    operationId: 'dryRunAutomations',
    summary: "Which automation rules would fire on a conversation's current state and recent history",
    middleware: [readJsonBody] as const,
    request: { body: jsonBody(DryRunRequestSchema) },
    responses: {
      200: json('each rule, and why it would not fire', DryRunSchema),
      ...errors(400, 401, 404, 413, 503),
    },
  });
  return { dryRun };
});

/** `/api/automations`: the dry run of the routing policy's automation rules. */
export function automationsApp(deps: AgentAppDeps): OpenAPIHono<AgentEnv> {
  const { dryRun } = automationRoutes();
  return createRouter().openapi(dryRun, async (c) => {
    const clock = deps.conversationClock;
    if (!clock) throw new UnavailableError('the conversation clock is not configured');
    return c.json(await dryRunAutomations(clock, c.req.valid('json').conversationId), 200);
  });
}
