import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { type ImportEntry, importCustomers } from '#shared/app/import-customers.js';
import { IMPORT_BATCH, IMPORT_REASONS, importRecordSchema } from '#shared/domain/customer-import.js';
import { once } from '#shared/domain/on-first-use.js';
import { CustomerIdentitySchema } from '#shared/domain/timeline.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps } from './deps.js';
import { jsonBody, readJsonBody } from './json-body.js';
import { type AgentEnv, auditedRejection, auditRefusals, createRouter } from './router.js';
import { errors, json } from './schemas.js';
import { validationMessage } from './validation-message.js';

/** One record's answer. */
const ImportAnswerSchema = z.object({
  externalId: z.string().optional().meta({ description: "the record's, when it had a readable one" }),
  outcome: z.enum(['created', 'existing', 'matched', 'conflict', 'invalid']).meta({
    description:
      '`created`: a new customer; `existing`: this external id was imported before (the same customer, nothing written); `matched`: a customer already held one of its identities and took the record (its name kept if it had one); `conflict`: another customer holds `identity` (nothing moved); `invalid`: see `reason`',
  }),
  customerId: z.string().optional(),
  identity: CustomerIdentitySchema.omit({ display: true })
    .optional()
    .meta({ description: 'on a conflict, the identity another customer holds' }),
  reason: z.enum(IMPORT_REASONS).optional().meta({
    description:
      '`invalid_request` (see `detail`), `identity_held` (another customer holds `identity`), `customer_erasing` (the customer it matched is being erased)',
  }),
  detail: z.string().optional().meta({ description: 'on `invalid`, what is wrong with the record' }),
});

/** The route's declaration (its schemas), built with the first sub-app rather than at import. */
const importRoute = once(() =>
  createRoute({
    method: 'post',
    path: '/customers/import',
    operationId: 'importCustomers',
    summary: `Import customers from another help desk, up to ${IMPORT_BATCH} a call, each once by its \`externalId\`: their phones, emails and WhatsApp ids claimed as identities (never one another customer holds), their name and tags. No conversation, routing or message. Admins only; audited (\`customers_import\`, counts only)`,
    middleware: [requireAdmin, readJsonBody] as const,
    request: {
      body: jsonBody(
        z.strictObject({
          customers: z.array(z.unknown()).min(1).max(IMPORT_BATCH).meta({
            description:
              'the records, each `{externalId, name?, phones?, emails?, whatsapp?, tags?}` (text: `externalId` 1 to 128 printable ASCII characters; up to 10 of each kind of address; tags as on `PUT /api/customers/{id}/tags`), checked one by one: a bad one is answered `invalid`, the others imported',
          }),
        }),
      ),
    },
    responses: {
      200: json('one answer per record, in order', z.object({ results: z.array(ImportAnswerSchema) })),
      ...errors(400, 401, 403, 413, 503),
    },
  }),
);

/** A record checked on its own: the record, or why not (with its external id, when that one was readable). */
function entryOf(raw: unknown): ImportEntry {
  const parsed = importRecordSchema().safeParse(raw);
  if (parsed.success) return { record: parsed.data };
  const id = (raw as { externalId?: unknown } | null)?.externalId;
  const externalId = typeof id === 'string' && id.length <= 128 ? id : undefined;
  return { invalid: validationMessage(parsed.error.issues), externalId };
}

/** `POST /api/customers/import`: the customer import, admins only. */
export function customerImportApp(deps: AgentAppDeps): OpenAPIHono<AgentEnv> {
  const route = importRoute();
  const app = createRouter();
  auditRefusals(app, deps, [[route, 'customers_import']], 'none');
  return app.openapi(
    route,
    async (c) => {
      const entries = c.req.valid('json').customers.map(entryOf);
      return c.json({ results: await importCustomers(deps, c.get('agentId'), entries) }, 200);
    },
    auditedRejection(deps, 'customers_import', 'none'),
  );
}
