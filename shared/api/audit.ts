import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { listAudit } from '#shared/app/list-audit.js';
import { AuditRecordSchema } from '#shared/domain/audit.js';
import { once } from '#shared/domain/on-first-use.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

const SUMMARY =
  'The audit log, newest first: every export, erase, merge and unmerge, who made it, on which customers, when and how it ended. Admins only';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const auditRoutes = once(() => {
  const { PageQuerySchema } = apiSchemas();
  const list = createRoute({
    method: 'get',
    path: '/audit',
    operationId: 'listAudit',
    summary: SUMMARY,
    request: { query: PageQuerySchema },
    middleware: [requireAdmin] as const,
    responses: { 200: json('a page of audit records', page(AuditRecordSchema)), ...errors(400, 401, 403) },
  });
  return { list };
});

/** `/api/audit`: the audit log, for admins. */
export function auditApp(deps: Pick<AgentAppDeps, 'audit'>): OpenAPIHono<AgentEnv> {
  const { list } = auditRoutes();
  return createRouter().openapi(list, async (c) => c.json(await listAudit(deps, c.req.valid('query')), 200));
}
