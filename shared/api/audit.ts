import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { auditedQuery, auditedRead } from '#shared/app/audited-read.js';
import { listAudit } from '#shared/app/list-audit.js';
import { SELF_AGENT_ID } from '#shared/domain/api-id.js';
import { AuditActionSchema, AuditRecordSchema } from '#shared/domain/audit.js';
import { once } from '#shared/domain/on-first-use.js';
import { requireAdmin } from './admin-only.js';
import type { ApiDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

const SUMMARY =
  'The audit log, newest first: every export, erase, merge and unmerge, who made it, on which customers, when and how it ended; filtered by customer, agent, action and time. Admins only; each read is itself recorded (`audit_read`, with its filters and count)';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const auditRoutes = once(() => {
  const { IdSchema, PageQuerySchema } = apiSchemas();
  const time = (description: string) => z.iso.datetime({ offset: true }).optional().meta({ description });
  /** `GET /api/audit`: a page, and what narrows it (every filter given holds). */
  const AuditQuerySchema = PageQuerySchema.extend({
    // Every customer id is `cu_` and more (timeOrderedId): another id names none (400, nothing read).
    customerId: IdSchema.regex(/^cu_/, 'not a customer id').optional().meta({
      description:
        'only records naming this customer in `customerIds` (written since filters came: see README)',
    }),
    agentId: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .meta({ description: 'only calls this agent made (`me`: yourself)' }),
    subjectAgentId: z.string().min(1).max(128).optional().meta({
      description:
        'only records acting on this agent (`subjectAgentId`: their removal or restore; recorded since 2026-12-06, or indexed by `index-audit-log`; `me`: yourself)',
    }),
    action: AuditActionSchema.optional().meta({ description: 'only records of this action' }),
    since: time('only records at or after this time (ISO 8601)'),
    until: time('only records before this time (ISO 8601); after `since`'),
  });
  const list = createRoute({
    method: 'get',
    path: '/audit',
    operationId: 'listAudit',
    summary: SUMMARY,
    description:
      'A filtered page may hold fewer than `limit` records, or none, with a `cursor`: follow it until `null`.',
    request: { query: AuditQuerySchema },
    middleware: [requireAdmin] as const,
    responses: { 200: json('a page of audit records', page(AuditRecordSchema)), ...errors(400, 401, 403) },
  });
  return { list };
});

/** `/api/audit`: the audit log, for admins. */
export function auditApp(deps: Pick<ApiDeps, 'audit' | 'cursors' | 'clock'>): OpenAPIHono<AgentEnv> {
  const { list } = auditRoutes();
  return createRouter().openapi(list, async (c) => {
    const query = c.req.valid('query');
    const self = (id: string | undefined) => (id === SELF_AGENT_ID ? c.get('agentId') : id);
    const [agentId, subjectAgentId] = [self(query.agentId), self(query.subjectAgentId)];
    const filter = { ...query, agentId, subjectAgentId };
    // Who read the log, with what filters, is in the log too: one record a request (`audit_read`).
    const read = { agentId: c.get('agentId'), action: 'audit_read' as const, query: auditedQuery(filter) };
    const page = await auditedRead(
      deps,
      read,
      () => listAudit(deps, filter),
      (p) => p.items.length,
    );
    return c.json(page, 200);
  });
}
