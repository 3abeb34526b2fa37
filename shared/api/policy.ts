import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { once } from '#shared/domain/on-first-use.js';
import { routingPolicyWarnings } from '#shared/domain/routing/policy-warnings.js';
import { UnavailableError } from '#shared/errors.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { errors, json } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const policyRoutes = once(() => {
  const PolicyAnswerSchema = z.object({
    // The parsed form (keywords folded, defaults filled in), which the file's schema does not describe:
    // its fields are those of the routing policy file (shared/domain/routing/README.md).
    policy: z.record(z.string(), z.unknown()).meta({
      description:
        'the routing policy in force, as parsed: the fields of the routing policy file, its defaults filled in and its keywords folded',
    }),
    warnings: z.array(z.string()).meta({
      description: 'what in it is likely a mistake (the warnings the runtime logs at start), as of now',
    }),
  });
  const get = createRoute({
    method: 'get',
    path: '/policy',
    operationId: 'getPolicy',
    summary:
      'The routing policy in force (queues, business hours, SLA, follow-ups, auto-resolve, surveys, AI replies, automations) and its warnings. Admins only',
    middleware: [requireAdmin] as const,
    responses: {
      200: json('the parsed policy and its warnings', PolicyAnswerSchema),
      ...errors(401, 403, 503),
    },
  });
  return { get };
});

/** `/api/policy`: the routing policy the runtime was started with, for admins. */
export function policyApp(deps: Pick<AgentAppDeps, 'policy' | 'clock'>): OpenAPIHono<AgentEnv> {
  const { get } = policyRoutes();
  return createRouter().openapi(get, async (c) => {
    if (!deps.policy) throw new UnavailableError('the routing policy is not configured');
    const policy = deps.policy();
    return c.json({ policy, warnings: routingPolicyWarnings(policy, deps.clock.now()) }, 200);
  });
}
