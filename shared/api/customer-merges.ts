import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { acceptSuggestion } from '#shared/app/accept-suggestion.js';
import { dismissSuggestion } from '#shared/app/dismiss-suggestion.js';
import { listSuggestions } from '#shared/app/list-suggestions.js';
import { mergeCustomers } from '#shared/app/merge-customers.js';
import { refillOver } from '#shared/app/refill-holder.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import { unmergeCustomers } from '#shared/app/unmerge-customers.js';
import type { ClockEvent } from '#shared/domain/clock-ports.js';
import { once } from '#shared/domain/on-first-use.js';
import { SuggestionSchema } from '#shared/domain/suggestions.js';
import { type Customer, CustomerSchema } from '#shared/domain/timeline.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps } from './deps.js';
import { emptyBody, jsonBody, readJsonBody, readOptionalJsonBody } from './json-body.js';
import { type AgentEnv, auditedRejection, auditRefusals, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const mergeRoutes = once(() => {
  const { IdParamsSchema, OtherCustomerSchema, PairParamsSchema } = apiSchemas();
  const mergeRoute = (path: string, operationId: string, summary: string, answer: string) =>
    createRoute({
      method: 'post',
      path,
      operationId,
      summary,
      middleware: [requireAdmin, readJsonBody] as const,
      request: { params: IdParamsSchema, body: jsonBody(OtherCustomerSchema) },
      responses: { 200: json(answer, CustomerSchema), ...errors(400, 401, 403, 404, 409, 410, 413) },
    });

  const merge = mergeRoute(
    '/customers/{id}/merge',
    'mergeCustomers',
    'Merge another customer into this one. Admins only; audited',
    'the merged customer',
  );
  const unmerge = createRoute({
    method: 'post',
    path: '/customers/{id}/unmerge',
    operationId: 'unmergeCustomers',
    summary:
      'Undo a merge: the other customer gets back its identities and what came through them while merged. Admins only; audited',
    middleware: [requireAdmin, readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(OtherCustomerSchema) },
    responses: {
      200: json('the customer', CustomerSchema),
      202: json(
        'the customer and `complete: false`: a heavy target, partly unmerged (the identities are back, some items not yet): call again to carry on',
        CustomerSchema.extend({ complete: z.literal(false) }),
      ),
      ...errors(400, 401, 403, 404, 409, 410, 413),
    },
  });

  const suggestions = createRoute({
    method: 'get',
    path: '/customers/{id}/suggestions',
    operationId: 'listMergeSuggestions',
    summary: 'Merge suggestions with their evidence',
    request: { params: IdParamsSchema },
    responses: { 200: json('suggestions', page(SuggestionSchema)), ...errors(400, 401, 404, 410) },
  });

  const accept = createRoute({
    method: 'post',
    path: '/customers/{id}/suggestions/{otherId}/accept',
    operationId: 'acceptMergeSuggestion',
    summary: 'Accept a suggestion: merge the other customer in. Admins only; audited as a merge',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: PairParamsSchema, body: emptyBody() },
    responses: {
      200: json('the merged customer', CustomerSchema),
      ...errors(400, 401, 403, 404, 409, 410, 413),
    },
  });

  const dismiss = createRoute({
    method: 'post',
    path: '/customers/{id}/suggestions/{otherId}/dismiss',
    operationId: 'dismissMergeSuggestion',
    summary: 'Dismiss a suggestion; later evidence does not reopen it',
    middleware: [readOptionalJsonBody] as const,
    request: { params: PairParamsSchema, body: emptyBody() },
    responses: {
      200: json('dismissed', z.object({ dismissed: z.literal(true) })),
      ...errors(400, 401, 404, 410, 413),
    },
  });
  return { merge, unmerge, suggestions, accept, dismiss };
});

/**
 * The customer after a merge; `{}` if it was erased in between, as the API has always answered. The
 * document promises a customer, so the cast states that case's exception.
 */
const answer = (c: Context<AgentEnv>, customer: Customer | undefined) =>
  c.json({ ...customer } as Customer, 200);

/** `/api/customers/{id}/...`: merges, unmerges and merge suggestions. */
export function customerMergesApp(deps: AgentAppDeps): OpenAPIHono<AgentEnv> {
  const { merge, unmerge, suggestions, accept, dismiss } = mergeRoutes();
  const app = createRouter();
  // A merge resolves the source's open conversation: its clock hears of it (targets end, no survey);
  // an unmerge that reopens it too (a fresh SLA).
  const clock = deps.conversationClock;
  const track = clock && ((event: ClockEvent) => trackConversationClock(clock, event));
  // The agent who had the conversation a merge resolves takes waiting work, as after any resolve.
  const merging = { ...deps, track, refill: refillOver(deps) };
  auditRefusals(app, deps, [
    [merge, 'merge'],
    [unmerge, 'unmerge'],
    [accept, 'merge'],
  ]);
  app.openapi(
    merge,
    async (c) => {
      const request = { targetId: c.req.valid('param').id, sourceId: c.req.valid('json').customerId };
      return answer(c, await mergeCustomers(merging, { ...request, agentId: c.get('agentId') }));
    },
    auditedRejection(deps, 'merge'),
  );
  app.openapi(
    unmerge,
    async (c) => {
      const request = { targetId: c.req.valid('param').id, sourceId: c.req.valid('json').customerId };
      const out = await unmergeCustomers(merging, { ...request, agentId: c.get('agentId') });
      if (out.complete) return answer(c, out.customer);
      return c.json({ ...(out.customer as Customer), complete: false as const }, 202);
    },
    auditedRejection(deps, 'unmerge'),
  );
  return app
    .openapi(suggestions, async (c) =>
      c.json({ items: await listSuggestions(deps, c.req.valid('param').id), cursor: null }, 200),
    )
    .openapi(
      accept,
      async (c) => {
        const { id, otherId } = c.req.valid('param');
        const customer = await acceptSuggestion(merging, {
          customerId: id,
          otherId,
          agentId: c.get('agentId'),
        });
        return answer(c, customer);
      },
      auditedRejection(deps, 'merge'),
    )
    .openapi(dismiss, async (c) => {
      const { id, otherId } = c.req.valid('param');
      await dismissSuggestion(deps, id, otherId);
      return c.json({ dismissed: true }, 200);
    });
}
