import { type Hook, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context, Input, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import * as z from 'zod';
import { type AuditDeps, audited } from '#shared/app/audited.js';
import type { AuditAction, AuditTarget } from '#shared/domain/audit.js';
import { customerOfExport } from '#shared/domain/privacy.js';
import { type ThreadlineError, UnsupportedMediaTypeError, ValidationError } from '#shared/errors.js';
import { apiSchemas, errors } from './schemas.js';
import { validationMessage } from './validation-message.js';

/** What every agent route can read from the context. */
export type AgentEnv = {
  Variables: {
    /** The caller, set by the bearer-token check before any route runs. */
    agentId: string;
    /** Whether the caller is an admin, set with `agentId`. */
    admin: boolean;
    /** Why the body could not be read as UTF-8 JSON, set by `readJsonBody` for the body's validation. */
    unreadableBody?: { cause: unknown };
    /** Set by `readJsonBody` when a body came as another media type than JSON (or none): 415. */
    unsupportedBody?: true;
    /** Set when an audited route's checks are reached: from there the route writes its own record. */
    admitted?: boolean;
  };
};

/** Turns a failed route validation into our ValidationError (400 `invalid_request`), as every route did by hand. */
export const rejectInvalid: Hook<unknown, AgentEnv, string, void> = (result, c) => {
  if (!result.success) throw invalidRequest(result.target, result.error.issues, c);
};

/**
 * The error of a failed check of `target`: a body of another media type than JSON is 415, one that is
 * not UTF-8 JSON says so (400), any other failure names its fields (400).
 */
function invalidRequest(
  target: string,
  issues: readonly z.core.$ZodIssue[],
  c: Context<AgentEnv>,
): ThreadlineError {
  if (target === 'json' && c.get('unsupportedBody')) {
    return new UnsupportedMediaTypeError('send the body as JSON, with Content-Type: application/json');
  }
  const unreadable = target === 'json' ? c.get('unreadableBody') : undefined;
  if (unreadable) return new ValidationError('body is not UTF-8 JSON', unreadable);
  return new ValidationError(validationMessage(issues, target));
}

/**
 * A route as the router declares it: one that declares no query takes none, so a parameter is refused
 * (400 `invalid_request`, naming it) as the lists refuse one they do not know, and its 400 is listed.
 * Before, such a route dropped it: `GET /api/agents?presence=online` listed every agent.
 */
function withoutQuery<R extends RouteConfig>(route: R): R {
  if (route.request?.query) return route;
  return {
    ...route,
    request: { ...route.request, query: z.strictObject({}) },
    responses: { ...errors(400), ...route.responses },
  };
}

/**
 * A sub-app of the agent API: its routes declared with createRoute, their failed checks answered as
 * 400, and a query a route does not declare refused (`withoutQuery`), on every route it declares.
 */
export function createRouter(): OpenAPIHono<AgentEnv> {
  const app = new OpenAPIHono<AgentEnv>({ defaultHook: rejectInvalid });
  const declare = app.openapi;
  app.openapi = ((route, handler, hook) => declare(withoutQuery(route), handler, hook)) as typeof declare;
  return app;
}

/**
 * rejectInvalid for an audited route whose use case writes its own records from its checks on: the
 * call is marked as reached (`admitted`), so `recordRefusals` does not record its failures again.
 */
export function admitted<I extends Input>(): Hook<I, AgentEnv, string, undefined> {
  return (result, c) => {
    c.set('admitted', true);
    if (!result.success) throw invalidRequest(result.target, result.error.issues, c);
    return undefined;
  };
}

/** Whose ids an audited route's path holds: customers', an export's (its customer), a webhook's or an agent's. */
type PathIds = 'path' | 'export' | 'none' | 'agent';

/**
 * rejectInvalid for an audited admin route: the refused call writes its audit record first (outcome
 * `invalid_request`), as every export, erase, merge and unmerge does however it ends. Its customers are
 * the path's ids that are valid ones (none on a webhook route): a bad id is not recorded.
 */
export function auditedRejection<I extends Input>(
  deps: AuditDeps,
  action: AuditAction,
  customers: PathIds = 'path',
): Hook<I, AgentEnv, string, Promise<never> | undefined> {
  return (result, c) => {
    c.set('admitted', true);
    if (result.success) return undefined;
    const named = pathNames(c, customers);
    const error = invalidRequest(result.target, result.error.issues, c);
    return audited(deps, { agentId: c.get('agentId'), action, ...named }, () => Promise.reject(error));
  };
}

/**
 * What the path names, valid ids only (a bad id is not recorded): its customers; on an export's route
 * (`export`) the customer its id names, as the download's own record does; or on a webhook route
 * (`none`: no customer) the webhook and the delivery.
 */
function pathNames(c: Context<AgentEnv>, customers: PathIds): { customerIds: string[] } & AuditTarget {
  const { IdSchema } = apiSchemas();
  const valid = (id: string | undefined): id is string => IdSchema.safeParse(id).success;
  if (customers === 'path') return { customerIds: [c.req.param('id'), c.req.param('otherId')].filter(valid) };
  if (customers === 'agent') {
    const agentId = agentOfPath(c);
    return { customerIds: [], ...(valid(agentId) ? { subjectAgentId: agentId } : {}) };
  }
  if (customers === 'export') {
    const id = c.req.param('id');
    return { customerIds: [valid(id) ? customerOfExport(id) : undefined].filter(valid) };
  }
  const [webhookId, deliveryId] = [c.req.param('id'), c.req.param('deliveryId')];
  return {
    customerIds: [],
    ...(valid(webhookId) ? { webhookId } : {}),
    ...(valid(deliveryId) ? { deliveryId } : {}),
  };
}

/** The agent an `/agents/{id}` path names: `me` (or `/agents/me` itself) is the caller, as in an assignment. */
export function agentOfPath(c: Context<AgentEnv>): string {
  const id = c.req.param('id') ?? 'me';
  return id === 'me' ? c.get('agentId') : id;
}

/** What an audited route's marker carries: where its records go, its action and whose ids its path holds. */
interface AuditedRoute {
  deps: AuditDeps;
  action: AuditAction;
  customers: PathIds;
}

/** The markers `auditRefusals` registers, by handler: `recordRefusals` finds a request's among its routes. */
const auditedRoutes = new WeakMap<object, AuditedRoute>();

/**
 * Marks routes as audited for the calls refused before their checks run: a non-admin's (403 from
 * `requireAdmin`) and a body over the limit (413, from the guard's body limit or the body's read).
 * Each marker is a pass-through handler registered ahead of its route, found by `recordRefusals`.
 */
export function auditRefusals(
  app: OpenAPIHono<AgentEnv>,
  deps: AuditDeps,
  routes: ReadonlyArray<readonly [{ method: string; getRoutingPath(): string }, AuditAction]>,
  customers: PathIds = 'path',
): void {
  for (const [route, action] of routes) {
    const marker: MiddlewareHandler<AgentEnv> = (_c, next) => next();
    auditedRoutes.set(marker, { deps, action, customers });
    app.on(route.method.toUpperCase(), route.getRoutingPath(), marker);
  }
}

/**
 * Writes the audit record of an audited call refused before its route's checks (see `auditRefusals`):
 * outcome the code answered (`forbidden`, `payload_too_large`), with the path's valid customer ids. A
 * call that reached its checks records itself (`auditedRejection`, `audited`), so it is not written
 * twice. Runs after the caller is known: an unauthenticated call (401) is not recorded.
 */
export const recordRefusals = createMiddleware<AgentEnv>(async (c, next) => {
  await next();
  const error = c.error;
  if (!error || c.get('admitted')) return;
  const routes = matchedRoutes(c);
  const index = routes.findIndex((r) => auditedRoutes.has(r.handler));
  const route = routes[index] && auditedRoutes.get(routes[index].handler);
  if (!route) return;
  // The path's ids as the marker's route reads them (the guard's own pattern has none).
  const current = c.req.routeIndex;
  c.req.routeIndex = index;
  const named = pathNames(c, route.customers);
  c.req.routeIndex = current;
  const entry = { agentId: c.get('agentId'), action: route.action, ...named };
  await audited(route.deps, entry, () => Promise.reject(error)).catch(() => undefined);
});
