import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Input } from 'hono';
import type * as z from 'zod';
import { type AuditDeps, audited } from '#shared/app/audited.js';
import type { AuditAction } from '#shared/domain/audit.js';
import { ValidationError } from '#shared/errors.js';
import { apiSchemas } from './schemas.js';

/** What every agent route can read from the context. */
export type AgentEnv = {
  Variables: {
    /** The caller, set by the bearer-token check before any route runs. */
    agentId: string;
    /** Whether the caller is an admin, set with `agentId`. */
    admin: boolean;
    /** Why the body could not be read as UTF-8 JSON, set by `readJsonBody` for the body's validation. */
    unreadableBody?: { cause: unknown };
  };
};

/** One message for every failed check: `path: message` per issue, `value` for a value without a path. */
export function validationMessage(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
}

/** Turns a failed route validation into our ValidationError (400 `invalid_request`), as every route did by hand. */
export const rejectInvalid: Hook<unknown, AgentEnv, string, void> = (result, c) => {
  if (!result.success) throw invalidRequest(result.target, result.error.issues, c);
};

/** The ValidationError of a failed check of `target`: a body that is not UTF-8 JSON says so. */
function invalidRequest(
  target: string,
  issues: readonly z.core.$ZodIssue[],
  c: Context<AgentEnv>,
): ValidationError {
  const unreadable = target === 'json' ? c.get('unreadableBody') : undefined;
  if (unreadable) return new ValidationError('body is not UTF-8 JSON', unreadable);
  return new ValidationError(validationMessage(issues));
}

/** A sub-app of the agent API: its routes declared with createRoute, their failed checks answered as 400. */
export function createRouter(): OpenAPIHono<AgentEnv> {
  return new OpenAPIHono<AgentEnv>({ defaultHook: rejectInvalid });
}

/**
 * rejectInvalid for an audited admin route: the refused call writes its audit record first (outcome
 * `invalid_request`), as every export, erase, merge and unmerge does however it ends. Its customers are
 * the path's ids that are valid ones (none on a webhook route): a bad id is not recorded.
 */
export function auditedRejection<I extends Input>(
  deps: AuditDeps,
  action: AuditAction,
  customers: 'path' | 'none' = 'path',
): Hook<I, AgentEnv, string, Promise<never> | undefined> {
  return (result, c) => {
    if (result.success) return undefined;
    const { IdSchema } = apiSchemas();
    const params = customers === 'path' ? [c.req.param('id'), c.req.param('otherId')] : [];
    const customerIds = params.filter((id) => IdSchema.safeParse(id).success) as string[];
    const error = invalidRequest(result.target, result.error.issues, c);
    return audited(deps, { agentId: c.get('agentId'), action, customerIds }, () => Promise.reject(error));
  };
}
