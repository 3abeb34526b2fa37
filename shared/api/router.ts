import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type * as z from 'zod';
import { ValidationError } from '#shared/errors.js';

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
  if (result.success) return;
  const unreadable = result.target === 'json' ? c.get('unreadableBody') : undefined;
  if (unreadable) throw new ValidationError('body is not UTF-8 JSON', unreadable);
  throw new ValidationError(validationMessage(result.error.issues));
};

/** A sub-app of the agent API: its routes declared with createRoute, their failed checks answered as 400. */
export function createRouter(): OpenAPIHono<AgentEnv> {
  return new OpenAPIHono<AgentEnv>({ defaultHook: rejectInvalid });
}
