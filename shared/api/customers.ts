import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { auditedPage } from '#shared/app/audited-read.js';
import { changeTags as changeTagsOf } from '#shared/app/change-tags.js';
import { eraseCustomer } from '#shared/app/erase-customer.js';
import { exportCustomer } from '#shared/app/export-customer.js';
import { listReplyChannels } from '#shared/app/list-reply-channels.js';
import { readCustomer } from '#shared/app/read-customer.js';
import { readTimeline } from '#shared/app/read-timeline.js';
import { renameCustomer } from '#shared/app/rename-customer.js';
import { listCustomers, searchCustomers } from '#shared/app/search-customers.js';
import { setTags } from '#shared/app/set-tags.js';
import { once } from '#shared/domain/on-first-use.js';
import { CustomerExportSchema, ErasureReportSchema, StoredExportSchema } from '#shared/domain/privacy.js';
import { ReplyChannelSchema } from '#shared/domain/sms-numbers.js';
import { SuggestionSchema } from '#shared/domain/suggestions.js';
import { ConversationSchema, CustomerSchema, TimelineItemSchema } from '#shared/domain/timeline.js';
import { requireAdmin } from './admin-only.js';
import type { ApiDeps } from './deps.js';
import { emptyBody, jsonBody, readJsonBody, readOptionalJsonBody } from './json-body.js';
import { type AgentEnv, auditedRejection, auditRefusals, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const customerRoutes = once(() => {
  const { IdParamsSchema, TimelineQuerySchema, SearchQuerySchema, ChannelsQuerySchema } = apiSchemas();
  const search = createRoute({
    method: 'get',
    path: '/customers',
    operationId: 'searchCustomers',
    summary:
      'Find customers by name prefix or any identity (phone in any format, email, handle), a page at a time: the first page the identity matches, then name matches by name up to `limit` in all; `cursor` reads the next name matches (never an identity match again). Without `q`: every customer, newest first (by first contact), a page at a time; customers merged away or erased are left out, so a page may hold fewer than `limit` and still have a `cursor`',
    request: { query: SearchQuerySchema },
    responses: { 200: json('matches', page(CustomerSchema)), ...errors(400, 401) },
  });
  const read = createRoute({
    method: 'get',
    path: '/customers/{id}',
    operationId: 'getCustomer',
    summary: 'A customer: identities, channels, open conversation, open merge suggestions',
    request: { params: IdParamsSchema },
    responses: {
      200: json(
        'the profile',
        CustomerSchema.extend({
          openConversation: ConversationSchema.nullable(),
          suggestions: z.array(SuggestionSchema),
        }),
      ),
      ...errors(400, 401, 404, 410),
    },
  });
  const timeline = createRoute({
    method: 'get',
    path: '/customers/{id}/timeline',
    operationId: 'getCustomerTimeline',
    summary:
      'Every item of the customer and those merged with them, a page at a time, oldest first; every oldest-first page, the last one too, carries `resume`, a cursor to read later what was added after it; `order=newest` answers the newest page first (one backwards query per merged partition, whatever the history) and its cursor leads to older pages',
    request: { params: IdParamsSchema, query: TimelineQuerySchema },
    responses: {
      200: json(
        'a page',
        page(TimelineItemSchema).extend({
          resume: z.string().nullable().optional().meta({
            description:
              '`order=oldest` only, on every page (the last, whose `cursor` is null, too): a cursor after its last item; pass it as `cursor` later to read the items added after it since (`null`: the timeline was empty, read it from the start)',
          }),
        }),
      ),
      ...errors(400, 401, 404, 410),
    },
  });
  const channels = createRoute({
    method: 'get',
    path: '/customers/{id}/channels',
    operationId: 'listReplyChannels',
    summary:
      'The channels a reply may use now, and why not (`reason`: the error code a reply would get; `needsTemplate`, `tag`), by the rules replies are checked against, and the longest text each takes from this customer (`maxLength`)',
    request: { params: IdParamsSchema, query: ChannelsQuerySchema },
    responses: {
      200: json('one entry per channel', z.array(ReplyChannelSchema)),
      ...errors(400, 401, 404, 410),
    },
  });
  const exportData = createRoute({
    method: 'get',
    path: '/customers/{id}/export',
    operationId: 'exportCustomer',
    summary:
      'Everything held about the customer, as JSON; one too large for a response (EXPORT_INLINE_BYTES, 5 MiB) is written aside and answered 202 with its URL. Admins only; audited',
    middleware: [requireAdmin] as const,
    request: { params: IdParamsSchema },
    responses: {
      200: json('the export', CustomerExportSchema),
      202: json('the export was written aside: GET its url before expiresAt', StoredExportSchema),
      ...errors(400, 401, 403, 404, 410),
    },
  });
  return { search, read, timeline, channels, exportData };
});

/** The erasure's declaration: admins only, answered by the erasure report. */
const eraseRoute = once(() =>
  createRoute({
    method: 'delete',
    path: '/customers/{id}',
    operationId: 'eraseCustomer',
    summary:
      'Erase the customer (and everyone merged with them); answers the erasure report. Admins only; audited',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: apiSchemas().IdParamsSchema, body: emptyBody() },
    responses: {
      200: json(
        'the erasure report: ids and counts of what was erased (`complete: true`)',
        ErasureReportSchema,
      ),
      202: json(
        'a heavy customer, partly erased (`complete: false`): call again to carry on',
        ErasureReportSchema,
      ),
      ...errors(400, 401, 403, 404, 409, 410, 413),
    },
  }),
);

/** The profile's edits: replace the tags, add and remove some, rename the customer. */
const tagRoutes = once(() => {
  const { IdParamsSchema, TagsRequestSchema, TagsChangeSchema } = apiSchemas();
  const tags = createRoute({
    method: 'put',
    path: '/customers/{id}/tags',
    operationId: 'setCustomerTags',
    summary: "Replace the customer's tags (e.g. `vip`, which the routing policy escalates on)",
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(TagsRequestSchema) },
    responses: { 200: json('the customer', CustomerSchema), ...errors(400, 401, 404, 410, 413) },
  });
  const changeTags = createRoute({
    method: 'patch',
    path: '/customers/{id}/tags',
    operationId: 'changeCustomerTags',
    summary:
      "Add and remove some of the customer's tags, the others left as they are (two agents changing different tags at once both keep theirs)",
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(TagsChangeSchema) },
    responses: { 200: json('the customer', CustomerSchema), ...errors(400, 401, 404, 410, 413) },
  });
  const update = createRoute({
    method: 'patch',
    path: '/customers/{id}',
    operationId: 'updateCustomer',
    summary:
      "Change the customer's display name (`name`); any agent; audited (`rename`). Kept over the names providers' profiles give later, and found by name search",
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(apiSchemas().CustomerChangeSchema) },
    responses: { 200: json('the customer', CustomerSchema), ...errors(400, 401, 404, 410, 413) },
  });
  return { tags, changeTags, update };
});

/** `/api/customers`: list, search, profile, timeline, tags, name, export and erasure. */
export function customersApp(deps: ApiDeps): OpenAPIHono<AgentEnv> {
  const { search, read, timeline, channels, exportData } = customerRoutes();
  const erase = eraseRoute();
  const { tags, changeTags, update } = tagRoutes();
  const app = createRouter();
  auditRefusals(app, deps, [
    [erase, 'erase'],
    [exportData, 'export'],
    [update, 'rename'],
  ]);
  return app
    .openapi(search, async (c) => {
      const { q, ...page } = c.req.valid('query');
      // A page larger than the console asks for is a bulk read: one record a request. A search's text
      // is contact data (a name, an email, a phone), which the log never holds: `q` is kept as `yes`.
      const agentId = c.get('agentId');
      if (q === undefined) {
        const read = { agentId, action: 'customers_list' as const, query: page };
        return c.json(await auditedPage(deps, read, () => listCustomers(deps, page)), 200);
      }
      const read = { agentId, action: 'customers_search' as const, query: { q: 'yes', ...page } };
      return c.json(await auditedPage(deps, read, () => searchCustomers(deps, q, page)), 200);
    })
    .openapi(read, async (c) => c.json(await readCustomer(deps, c.req.valid('param').id), 200))
    .openapi(
      erase,
      async (c) => {
        const timers = deps.conversationClock?.timers;
        const report = await eraseCustomer({ ...deps, timers }, c.req.valid('param').id, c.get('agentId'));
        return report.complete ? c.json(report, 200) : c.json(report, 202);
      },
      auditedRejection(deps, 'erase'),
    )
    .openapi(timeline, async (c) =>
      c.json(await readTimeline(deps, c.req.valid('param').id, c.req.valid('query')), 200),
    )
    .openapi(channels, async (c) => {
      const { conversation } = c.req.valid('query');
      return c.json(await listReplyChannels(deps, c.req.valid('param').id, conversation), 200);
    })
    .openapi(
      exportData,
      async (c) => {
        const result = await exportCustomer(deps, c.req.valid('param').id, c.get('agentId'));
        if ('inline' in result) return c.json(result.inline, 200);
        c.header('Location', result.stored.url);
        return c.json(result.stored, 202);
      },
      auditedRejection(deps, 'export'),
    )
    .openapi(tags, async (c) =>
      c.json(await setTags(deps, c.req.valid('param').id, c.req.valid('json').tags), 200),
    )
    .openapi(changeTags, async (c) =>
      c.json(await changeTagsOf(deps, c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      update,
      async (c) => {
        const request = { customerId: c.req.valid('param').id, name: c.req.valid('json').name };
        return c.json(await renameCustomer(deps, { ...request, agentId: c.get('agentId') }), 200);
      },
      auditedRejection(deps, 'rename'),
    );
}
