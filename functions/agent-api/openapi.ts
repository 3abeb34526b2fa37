import * as z from 'zod';
import { AgentProfileSchema, AgentSchema, AgentUpdateSchema } from '#shared/domain/assignment.js';
import { ChannelSchema } from '#shared/domain/envelope.js';
import { ReplyRequestSchema } from '#shared/domain/replies.js';
import { SuggestionSchema } from '#shared/domain/suggestions.js';
import { ConversationSchema, CustomerSchema, TimelineItemSchema } from '#shared/domain/timeline.js';

/** Ids in paths: what the API accepts, and so what the document says. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id');
/** `POST /api/customers/{id}/merge` and `/unmerge`. */
export const OtherCustomerSchema = z.object({ customerId: IdSchema });
/** `PUT /api/customers/{id}/tags`. */
export const TagsRequestSchema = z.object({
  tags: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(64)
        .regex(/^[\w.:-]+$/, 'letters, digits, _ . : -'),
    )
    .max(50),
});
/** `POST /api/conversations/{id}/notes`. */
export const NoteRequestSchema = z.object({ text: z.string().trim().min(1).max(65_536) });
/** `POST /api/conversations/{id}/assign`. */
export const AssignRequestSchema = z
  .object({
    agentId: z.string().max(128).optional(),
    queue: z.string().min(1).max(128).optional(),
  })
  .refine((t) => t.agentId !== undefined || t.queue !== undefined, {
    message: 'name an agentId ("" to unassign, "me" for yourself) or a queue',
  });

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const page = (item: z.core.$ZodType) => z.object({ items: z.array(item), cursor: z.string().nullable() });

const json = (schema: z.core.$ZodType) => ({
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) },
  },
});
const input = (schema: z.core.$ZodType) => ({
  required: true,
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: STATUS_TEXT[s] ?? 'error', ...json(ErrorSchema) }]),
  );

const STATUS_TEXT: Record<number, string> = {
  400: 'invalid request',
  401: 'missing or invalid bearer token',
  404: 'not found',
  409: 'the current state forbids it (the error code says which rule)',
  410: 'the customer was erased',
  413: 'body too large',
  422: 'the request must change (the error code and message say how)',
  503: 'a dependency is unavailable; retry',
};

const idParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: z.toJSONSchema(IdSchema),
});
const query = (name: string, schema: z.core.$ZodType, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
});
const cursorParams = [
  query('cursor', z.string(), 'the cursor of the previous page'),
  query('limit', z.number().int().min(1).max(200), 'page size (default 50)'),
];

/**
 * The agent API's OpenAPI 3.1 document, generated from the same zod schemas the routes validate with,
 * so the document cannot drift from the code.
 */
export function openApiDocument(): Record<string, unknown> {
  const customer = CustomerSchema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Threadline agent API',
      version: '0.1.0',
      description:
        'Customers, their cross-channel timelines, conversations and replies. Every call needs `Authorization: Bearer <token>`. Lists answer `{items, cursor}`; errors answer `{error: {code, message}}`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/api/customers': {
        get: {
          summary: 'Find customers by name prefix or any identity (phone in any format, email, handle)',
          parameters: [{ ...query('q', z.string().min(1).max(320), 'search text'), required: true }],
          responses: { 200: { description: 'matches', ...json(page(customer)) }, ...errors(400, 401) },
        },
      },
      '/api/customers/{id}': {
        get: {
          summary: 'A customer: identities, channels, open conversation, open merge suggestions',
          parameters: [idParam('id')],
          responses: {
            200: {
              description: 'the profile',
              ...json(
                customer.extend({
                  openConversation: ConversationSchema.nullable(),
                  suggestions: z.array(SuggestionSchema),
                }),
              ),
            },
            ...errors(400, 401, 404, 410),
          },
        },
        delete: {
          summary: 'Erase the customer (and everyone merged with them); answers the audit report',
          parameters: [idParam('id')],
          responses: { 200: { description: 'counts of what was erased' }, ...errors(400, 401, 404, 410) },
        },
      },
      '/api/customers/{id}/timeline': {
        get: {
          summary: 'Every item of the customer and those merged with them, oldest first',
          parameters: [idParam('id'), ...cursorParams],
          responses: {
            200: { description: 'a page', ...json(page(TimelineItemSchema)) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/api/customers/{id}/suggestions': {
        get: {
          summary: 'Merge suggestions with their evidence',
          parameters: [idParam('id')],
          responses: { 200: { description: 'suggestions', ...json(page(SuggestionSchema)) }, ...errors(401) },
        },
      },
      '/api/customers/{id}/suggestions/{otherId}/accept': {
        post: {
          summary: 'Accept a suggestion: merge the other customer in',
          parameters: [idParam('id'), idParam('otherId')],
          responses: {
            200: { description: 'the merged customer', ...json(customer) },
            ...errors(401, 404, 409),
          },
        },
      },
      '/api/customers/{id}/suggestions/{otherId}/dismiss': {
        post: {
          summary: 'Dismiss a suggestion; later evidence does not reopen it',
          parameters: [idParam('id'), idParam('otherId')],
          responses: { 200: { description: 'dismissed' }, ...errors(401, 404) },
        },
      },
      '/api/customers/{id}/merge': {
        post: {
          summary: 'Merge another customer into this one',
          parameters: [idParam('id')],
          requestBody: input(OtherCustomerSchema),
          responses: {
            200: { description: 'the merged customer', ...json(customer) },
            ...errors(400, 401, 404, 409),
          },
        },
      },
      '/api/customers/{id}/unmerge': {
        post: {
          summary: 'Undo a merge',
          parameters: [idParam('id')],
          requestBody: input(OtherCustomerSchema),
          responses: {
            200: { description: 'the customer', ...json(customer) },
            ...errors(400, 401, 404, 409),
          },
        },
      },
      '/api/customers/{id}/export': {
        get: {
          summary: 'Everything held about the customer, as JSON',
          parameters: [idParam('id')],
          responses: { 200: { description: 'the export' }, ...errors(401, 404, 410) },
        },
      },
      '/api/conversations': {
        get: {
          summary: 'The inbox, longest waiting first',
          parameters: [
            query('status', z.enum(['open', 'resolved']), 'default open'),
            query('assignee', z.string(), 'an agent id, `me` or `unassigned`'),
            query('queue', z.string(), 'a queue name'),
            query('channel', ChannelSchema, 'conversations the customer wrote in on this channel'),
            ...cursorParams,
          ],
          responses: {
            200: { description: 'a page', ...json(page(ConversationSchema)) },
            ...errors(400, 401),
          },
        },
      },
      '/api/conversations/{id}/replies': {
        post: {
          summary:
            "Reply on the customer's last inbound channel (or `channel`); an `Idempotency-Key` retry returns the first result",
          parameters: [
            idParam('id'),
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', maxLength: 255 },
            },
          ],
          requestBody: input(ReplyRequestSchema),
          responses: {
            202: { description: 'queued', ...json(z.object({ reply: TimelineItemSchema })) },
            200: {
              description: 'the first result of a retried key',
              ...json(z.object({ reply: TimelineItemSchema })),
            },
            ...errors(400, 401, 404, 409, 422, 503),
          },
        },
      },
      '/api/customers/{id}/tags': {
        put: {
          summary: "Replace the customer's tags (e.g. `vip`, which the routing policy escalates on)",
          parameters: [idParam('id')],
          requestBody: input(TagsRequestSchema),
          responses: {
            200: { description: 'the customer', ...json(CustomerSchema) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/api/metrics': {
        get: {
          summary:
            'AI resolution rate (messages the AI answered / messages routed), hand-off reasons, first response time, channel-switch rate: overall, or for one customer with ?customerId=',
          parameters: [query('customerId', IdSchema, 'one customer instead of the overall figures')],
          responses: { 200: { description: 'the figures' }, ...errors(400, 401, 404) },
        },
      },
      '/api/agents': {
        get: {
          summary: 'Every registered agent: queues, languages, capacity, presence and open conversations',
          responses: {
            200: { description: 'the agents', ...json(page(AgentSchema)) },
            ...errors(401),
          },
        },
      },
      '/api/agents/me': {
        put: {
          summary:
            'Register or update yourself for assignment (only the fields given change; a new agent is away, in no queue, with capacity 5)',
          requestBody: input(AgentUpdateSchema),
          responses: {
            200: { description: 'the agent', ...json(AgentProfileSchema) },
            ...errors(400, 401),
          },
        },
      },
      '/api/conversations/{id}/notes': {
        post: {
          summary: 'An internal note',
          parameters: [idParam('id')],
          requestBody: input(NoteRequestSchema),
          responses: {
            201: { description: 'the note', ...json(z.object({ note: TimelineItemSchema })) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/api/conversations/{id}/assign': {
        post: {
          summary: 'Assign or transfer to an agent and/or a queue',
          parameters: [idParam('id')],
          requestBody: input(AssignRequestSchema),
          responses: {
            200: { description: 'the conversation', ...json(ConversationSchema) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/api/conversations/{id}/resolve': {
        post: {
          summary: 'Resolve; the next message within the reopen window reopens it',
          parameters: [idParam('id')],
          responses: {
            200: { description: 'the conversation', ...json(ConversationSchema) },
            ...errors(401, 404),
          },
        },
      },
      '/api/conversations/{id}/reopen': {
        post: {
          summary: 'Reopen a resolved conversation',
          parameters: [idParam('id')],
          responses: {
            200: { description: 'the conversation', ...json(ConversationSchema) },
            ...errors(401, 404),
          },
        },
      },
    },
  };
}

/** A self-contained page that renders the document: no script or style from elsewhere. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threadline agent API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2327}
h2{margin-top:2rem;border-bottom:1px solid #ddd}.op{margin:.6rem 0 1.2rem}.m{display:inline-block;min-width:4.5rem;font-weight:600}
code,pre{background:#f5f5f5;padding:.1rem .3rem;border-radius:3px}pre{padding:.6rem;overflow:auto;font-size:13px}</style></head>
<body><h1>Threadline agent API</h1><p id="intro"></p><div id="ops">Loading /api/openapi.json…</div>
<script>
fetch('openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('intro').textContent=doc.info.description;
  const ops=document.getElementById('ops');ops.textContent='';
  for(const [path,item] of Object.entries(doc.paths)){
    const h=document.createElement('h2');h.textContent=path;ops.append(h);
    for(const [method,op] of Object.entries(item)){
      const d=document.createElement('div');d.className='op';
      const m=document.createElement('span');m.className='m';m.textContent=method.toUpperCase();
      const s=document.createElement('span');s.textContent=op.summary;d.append(m,s);
      if(op.requestBody){const p=document.createElement('pre');p.textContent=JSON.stringify(op.requestBody.content['application/json'].schema,null,2);d.append(p);}
      const r=document.createElement('div');r.textContent='Answers: '+Object.entries(op.responses).map(([k,v])=>k+' '+v.description).join(' · ');d.append(r);
      ops.append(d);
    }
  }
}).catch(e=>{document.getElementById('ops').textContent='Could not load the document: '+e;});
</script></body></html>`;
