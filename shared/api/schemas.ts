import * as z from 'zod';
import { API_ID_PATTERN } from '#shared/domain/api-id.js';
import { customerNameSchema, tagSchema } from '#shared/domain/customer-import.js';
import { ChannelSchema } from '#shared/domain/envelope.js';
import { INBOX_SORTS } from '#shared/domain/inbox.js';
import { once } from '#shared/domain/on-first-use.js';
import { TAG_RULE } from '#shared/domain/tag-rule.js';
import { wholeNumber } from '#shared/domain/whole-number.js';

/**
 * The agent API's shared request and error schemas, built by the first route that needs them rather than
 * at import: a cold start builds no route's schema.
 */
export const apiSchemas = once(() => {
  const bodies = bodySchemas();
  return { ...bodies, ...querySchemas(bodies.IdSchema) };
});

/**
 * Ids and request bodies. Every body is a strict object, as every route's is: an unknown key (a typo such
 * as `ad` for `add`) is 400 naming it, never the default done silently.
 */
function bodySchemas() {
  /** Ids in paths: what the API accepts, and so what the document says. */
  const IdSchema = z.string().regex(API_ID_PATTERN, 'not a valid id');
  /** `{id}` in a path. */
  const IdParamsSchema = z.object({ id: IdSchema });
  /** `{id}` and `{otherId}`: a merge suggestion between two customers. */
  const PairParamsSchema = z.object({ id: IdSchema, otherId: IdSchema });
  /** `POST /api/customers/{id}/merge` and `/unmerge`. */
  const OtherCustomerSchema = z.strictObject({ customerId: IdSchema });
  /** A customer's tag. */
  const TagSchema = tagSchema();
  /** `PUT /api/customers/{id}/tags`. */
  const TagsRequestSchema = z.strictObject({ tags: z.array(TagSchema).max(TAG_RULE.maxPerChange) });
  /** `PATCH /api/customers/{id}/tags`: only what changed, so a concurrent change of other tags stays. */
  const TagsChangeSchema = z.strictObject({
    add: z.array(TagSchema).max(TAG_RULE.maxPerChange).default([]).describe('tags to add'),
    remove: z
      .array(TagSchema)
      .max(TAG_RULE.maxPerChange)
      .default([])
      .describe('tags to remove (one also added is kept)'),
  });
  /** `PATCH /api/customers/{id}`: what an agent may change of a profile. */
  const CustomerChangeSchema = z.strictObject({
    name: customerNameSchema().describe(
      "the customer's display name, kept over the names providers' profiles give later",
    ),
  });
  /** `POST /api/conversations/{id}/notes`. */
  const NoteRequestSchema = z.strictObject({
    text: z.string().trim().min(1).max(65_536),
  });
  /** `POST /api/conversations/{id}/assign`. */
  const AssignRequestSchema = z
    .strictObject({
      agentId: z.string().max(128).optional(),
      queue: z.string().min(1).max(128).optional(),
      expectedAssignee: z
        .string()
        .max(128)
        .optional()
        .describe(
          'the assignee the caller last saw (`""` for nobody, `me` for yourself): when another agent has it now, `409` `assignee_changed` and nothing changes',
        ),
    })
    .refine((t) => t.agentId !== undefined || t.queue !== undefined, {
      message: 'name an agentId ("" to unassign, "me" for yourself) or a queue',
    });
  return {
    IdSchema,
    IdParamsSchema,
    PairParamsSchema,
    OtherCustomerSchema,
    TagsRequestSchema,
    TagsChangeSchema,
    CustomerChangeSchema,
    NoteRequestSchema,
    AssignRequestSchema,
  };
}

/** `GET /api/customers/{id}/channels[?conversation=]`. */
const channelsQuery = (IdSchema: z.ZodString) =>
  z.strictObject({
    conversation: IdSchema.optional().meta({
      description:
        'the conversation a reply would answer: each channel as a reply there takes it (a web chat whose visitor, merged in on an email they typed, did not write in it is `webchat_not_available`), the one a reply naming none takes first',
    }),
  });

/** A search's text: trimmed, not empty (built when called, not at import). */
const searchText = () => z.string().trim().min(1).max(320);

/** A query's UTC day: one given with a time (`2026-12-06T00:00:00Z`) is refused saying what it takes. */
const utcDayQuery = (description: string) =>
  z.iso.date({ error: 'expected a UTC day, yyyy-mm-dd (no time)' }).optional().meta({ description });

/**
 * Queries, headers and the error body. Every query is a strict object, as bodies are: a misspelt filter
 * (`assigne=me`) is 400 naming it, never another list answered as if it were the one asked for.
 */
function querySchemas(IdSchema: z.ZodString) {
  const LimitSchema = wholeNumber('limit', 1, 200, 50).meta({ description: 'page size (default 50)' });
  const CursorSchema = z
    .string()
    .max(4096)
    .optional()
    .meta({ description: 'the cursor of the previous page' });
  /** `?limit=&cursor=` of a paged list. */
  const PageQuerySchema = z.strictObject({ cursor: CursorSchema, limit: LimitSchema });
  /** `GET /api/customers/{id}/timeline?order=&limit=&cursor=`. */
  const TimelineQuerySchema = PageQuerySchema.extend({
    order: z.enum(['oldest', 'newest']).default('oldest').meta({
      description:
        '`oldest` (default): the first page is the oldest items; `newest`: the first page is the newest items and its `cursor` leads to older ones (items oldest first within a page either way; a cursor is good only for the order that made it)',
    }),
  });
  /** `GET /api/customers[?q=]`. */
  const SearchQuerySchema = z.strictObject({
    q: searchText().optional().meta({
      description: 'search text; without it, every customer, newest first',
    }),
    cursor: CursorSchema,
    limit: wholeNumber('limit', 1, 200, 25).meta({ description: 'page size (default 25)' }),
  });
  /** `GET /api/conversations`: the inbox filter and page. */
  const InboxQuerySchema = z.strictObject({
    status: z.enum(['open', 'resolved', 'snoozed']).default('open').meta({
      description:
        'default open; `snoozed`: open conversations snoozed now, out of the open inbox until they wake',
    }),
    sort: z.enum(INBOX_SORTS).default('waiting').meta({
      description:
        '`waiting` (default): longest waiting first; `due`: soonest pending SLA deadline first (a missed one stays until met), listing only conversations with a pending deadline',
    }),
    assignee: z.string().max(128).optional().meta({ description: 'an agent id, `me` or `unassigned`' }),
    queue: z.string().max(128).optional().meta({ description: 'a queue name' }),
    channel: z
      .optional(ChannelSchema)
      .meta({ description: 'conversations the customer wrote in on this channel' }),
    ...PageQuerySchema.shape,
  });
  /** `GET /api/metrics?customerId=&from=&to=`. */
  const MetricsQuerySchema = z.strictObject({
    customerId: IdSchema.optional().meta({ description: 'one customer instead of the overall figures' }),
    from: utcDayQuery('first UTC day (yyyy-mm-dd), included, not after today; default 29 days before `to`'),
    to: utcDayQuery('last UTC day (yyyy-mm-dd), included; default today, and a later day is cut to today'),
    tz: z.string().min(1).max(64).optional().meta({
      description:
        'an IANA time zone (`Europe/Berlin`): `from`, `to` and today are its days, across a daylight-saving change; UTC without it',
    }),
  });
  /** `Idempotency-Key` of a reply: an empty header is no key; the document shows the bound of the trimmed key. */
  const ReplyHeadersSchema = z.object({
    'Idempotency-Key': z
      .string()
      .optional()
      .transform((key) => key || undefined)
      .pipe(z.string().trim().min(1).max(255).optional())
      .meta({ maxLength: 255 }),
  });

  /** The body of every error answer. */
  const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
  return {
    PageQuerySchema,
    TimelineQuerySchema,
    SearchQuerySchema,
    ChannelsQuerySchema: channelsQuery(IdSchema),
    InboxQuerySchema,
    MetricsQuerySchema,
    ReplyHeadersSchema,
    ErrorSchema,
  };
}

/** A `{items, cursor}` list of the item schema. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().nullable() });

/** A JSON response of the schema, as a route declares it. */
export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

const STATUS_TEXT: Record<number, string> = {
  400: 'invalid request',
  401: 'missing or invalid bearer token',
  403: 'refused: only admins may make this call (`forbidden`), or an admin removed this agent (`agent_removed`)',
  404: 'not found',
  409: 'the current state forbids it (the error code says which rule)',
  410: 'the customer was erased',
  412: 'the `If-Match` ETag is not the current one: someone changed it since you read it (`precondition_failed`); read it again',
  413: 'body too large',
  415: 'the body is not sent as JSON (`unsupported_media_type`): send it with `Content-Type: application/json`',
  422: 'the request must change (the error code and message say how)',
  502: 'a provider refused or did not answer (the error code says which)',
  503: 'a dependency is unavailable; retry',
};

/**
 * The error answers a route can give, each with the error body. A route that takes a token (401) may
 * also answer 403 `agent_removed`, whatever else it refuses: the caller's removal is checked first.
 */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set(statuses.includes(401) ? [...statuses, 403] : statuses)]
      .sort((a, b) => a - b)
      .map((s) => [s, json(STATUS_TEXT[s] ?? 'error', apiSchemas().ErrorSchema)]),
  );
