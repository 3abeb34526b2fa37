import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { listAgents, listRemovedAgents } from '#shared/app/list-agents.js';
import { removeAgent } from '#shared/app/remove-agent.js';
import { restoreAgent } from '#shared/app/restore-agent.js';
import { updateAgent } from '#shared/app/update-agent.js';
import {
  AgentListedSchema,
  AgentProfileSchema,
  AgentUpdateSchema,
  RemovedAgentListedSchema,
} from '#shared/domain/assignment.js';
import { once } from '#shared/domain/on-first-use.js';
import { ForbiddenError } from '#shared/errors.js';
import { requireAdmin } from './admin-only.js';
import type { ApiDeps } from './deps.js';
import { emptyBody, jsonBody, readJsonBody, readOptionalJsonBody } from './json-body.js';
import {
  type AgentEnv,
  admitted,
  agentOfPath,
  auditedRejection,
  auditRefusals,
  createRouter,
} from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const agentRoutes = once(() => {
  const list = createRoute({
    method: 'get',
    path: '/agents',
    operationId: 'listAgents',
    summary: 'Every registered agent: role, queues, languages, capacity, presence and open conversations',
    responses: { 200: json('the agents', page(AgentListedSchema)), ...errors(401) },
  });

  const removed = createRoute({
    method: 'get',
    path: '/agents/removed',
    operationId: 'listRemovedAgents',
    summary:
      'Every removed agent not restored since (admins only), a page at a time in id order (`POST /api/agents/{id}/restore` restores one), each with the open conversations they still hold: the ones they had answered stay theirs until transferred, and `GET /api/conversations?assignee=<id>` lists them; one that waits on an answer again goes back to its queue within a minute',
    middleware: [requireAdmin] as const,
    request: { query: apiSchemas().PageQuerySchema },
    responses: { 200: json('the removed agents', page(RemovedAgentListedSchema)), ...errors(400, 401, 403) },
  });

  const me = createRoute({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary:
      'Who the token signs in: the agent id, whether they are an admin, and the routing policy’s queues (the console asks at sign-in and on each load)',
    responses: {
      200: json(
        'the caller',
        z.object({
          agentId: z.string(),
          admin: z.boolean(),
          queues: z
            .array(z.string())
            .optional()
            .describe(
              'the queues of the routing policy in use, in its order: the names `PUT /api/agents/me` and an assignment take',
            ),
        }),
      ),
      ...errors(401),
    },
  });

  const update = createRoute({
    method: 'put',
    path: '/agents/me',
    operationId: 'updateMyAgent',
    summary:
      'Register or update yourself for assignment (only the fields given change; a new agent is away, in no queue, with capacity 5); 422 `unknown_queue` naming each queue the routing policy does not have',
    middleware: [readJsonBody] as const,
    request: { body: jsonBody(AgentUpdateSchema) },
    responses: { 200: json('the agent', AgentProfileSchema), ...errors(400, 401, 413, 422) },
  });
  const remove = createRoute({
    method: 'delete',
    path: '/agents/{id}',
    operationId: 'removeAgent',
    summary:
      'Remove an agent (admins only; audited): their requests are refused from then on (403 `agent_removed`) until an admin restores them, their conversations waiting on an answer go back to their queue (reason `agent_removed`), then their console lease is closed and their registration retired, so they are no longer listed, handed work or assignable (422 `unknown_agent`). The ones they answered stay theirs, to transfer (`GET /api/agents/removed` lists who holds how many), and go back to their queue within a minute once they wait on an answer again (the customer writes, or a reopen). An agent not registered (removed already, or never): 204, recorded removed; one who never registered yet holds conversations (taken with `agentId: me`, or by a reply) has them handed back or counted as a registered agent does. Yourself (`me`, or your id): 409 `cannot_remove_self`. An admin removed meanwhile (two admins removing each other at once: the second) is refused, 403 `agent_removed`, so an admin always remains',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: apiSchemas().IdParamsSchema, body: emptyBody() },
    responses: {
      204: { description: 'removed, or not registered' },
      ...errors(400, 401, 403, 409, 413, 415),
    },
  });
  const restore = createRoute({
    method: 'post',
    path: '/agents/{id}/restore',
    operationId: 'restoreAgent',
    summary:
      'Restore a removed agent (admins only; audited): their sign-in works again and they register anew with `PUT /api/agents/me`. An agent not removed: 204, nothing done',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: apiSchemas().IdParamsSchema, body: emptyBody() },
    responses: { 204: { description: 'restored, or not removed' }, ...errors(400, 401, 403, 413, 415) },
  });
  return { list, removed, me, update, remove, restore };
});

/** `/api/agents`: the agents, each agent's own registration for assignment, an admin's removal and restore of one, and `/api/me`. */
export function agentsApp(deps: ApiDeps): OpenAPIHono<AgentEnv> {
  const { list, removed, me, update, remove, restore } = agentRoutes();
  const app = createRouter();
  // A non-admin's attempt, or a removed agent's, is refused before the route runs: recorded too
  // (outcome `forbidden`, `agent_removed`).
  auditRefusals(
    app,
    deps,
    [
      [remove, 'agent_remove'],
      [restore, 'agent_restore'],
      [update, 'agent_update'],
    ],
    'agent',
  );
  return app
    .openapi(list, async (c) => c.json({ items: await listAgents(deps), cursor: null }, 200))
    .openapi(removed, async (c) => c.json(await listRemovedAgents(deps, c.req.valid('query')), 200))
    .openapi(me, (c) => {
      const queues = deps.queueNames?.();
      return c.json(
        { agentId: c.get('agentId'), admin: c.get('admin'), ...(queues && { queues: [...queues] }) },
        200,
      );
    })
    .openapi(
      update,
      async (c) => {
        const role = c.get('admin') ? 'admin' : 'agent';
        // The refill after the answer, through the clock's timers (see `requestRefill`).
        const updating = { ...deps, refillTimers: deps.conversationClock?.timers };
        return c.json(await updateAgent(updating, c.get('agentId'), c.req.valid('json'), role), 200);
      },
      // Its checks reached, the use case records what it records (a bad body is not an update).
      admitted(),
    )
    .openapi(
      remove,
      async (c) => {
        const agentId = agentOfPath(c);
        // Refused as removed meanwhile: this container's look at the caller is forgotten too.
        await removeAgent(deps, c.get('agentId'), agentId).catch((error: unknown) => {
          if (error instanceof ForbiddenError) deps.removals?.forget(c.get('agentId'));
          throw error;
        });
        deps.removals?.forget(agentId);
        return c.body(null, 204);
      },
      auditedRejection(deps, 'agent_remove', 'agent'),
    )
    .openapi(
      restore,
      async (c) => {
        const agentId = agentOfPath(c);
        await restoreAgent(deps, c.get('agentId'), agentId);
        deps.removals?.forget(agentId);
        return c.body(null, 204);
      },
      auditedRejection(deps, 'agent_restore', 'agent'),
    );
}
