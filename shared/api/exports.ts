import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import { readExport } from '#shared/app/read-export.js';
import { once } from '#shared/domain/on-first-use.js';
import { type CustomerExport, CustomerExportSchema } from '#shared/domain/privacy.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, auditedRejection, auditRefusals, createRouter } from './router.js';
import { apiSchemas, errors, json } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const exportRoutes = once(() => {
  const { IdParamsSchema } = apiSchemas();
  const download = createRoute({
    method: 'get',
    path: '/exports/{id}',
    operationId: 'getExport',
    summary:
      'An export too large for one response, as `GET /api/customers/{id}/export` answered its URL (local runtime; on AWS the URL is a presigned S3 link). Admins only, until it expires or its customer is erased (410); audited',
    middleware: [requireAdmin] as const,
    request: { params: IdParamsSchema },
    responses: {
      200: json('the export, as `GET /api/customers/{id}/export` answers it inline', CustomerExportSchema),
      ...errors(400, 401, 403, 404, 410),
    },
  });
  return { download };
});

/** `/api/exports/{id}`: exports written aside, for the admins who asked for them. */
export function exportsApp(
  deps: Pick<AgentAppDeps, 'exports' | 'clock' | 'store' | 'audit'>,
): OpenAPIHono<AgentEnv> {
  const { download } = exportRoutes();
  const app = createRouter();
  // A non-admin's attempt is refused before the route runs: recorded too (outcome `forbidden`), naming
  // the customer the export's id names (it named the export as a webhook before).
  auditRefusals(app, deps, [[download, 'export_download']], 'export');
  return app.openapi(
    download,
    async (c) => {
      const stored = await readExport(deps, c.req.valid('param').id, c.get('agentId'));
      // The export's JSON as it was written (megabytes), not parsed to be serialised again.
      const answer = c.body(stored, 200, { 'content-type': 'application/json' });
      return answer as unknown as TypedResponse<JSONParsed<CustomerExport>, 200, 'json'>;
    },
    auditedRejection(deps, 'export_download', 'export'),
  );
}
