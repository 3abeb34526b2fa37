import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import {
  type Agent,
  type AgentProfile,
  AgentUpdateSchema,
  applyAgentUpdate,
  nextWaitingConversation,
} from '#shared/domain/assignment.js';
import { ChannelSchema, type Identity } from '#shared/domain/envelope.js';
import { normaliseEmail, normalisePhone, type PhoneOptions } from '#shared/domain/identity.js';
import type { InboxFilter } from '#shared/domain/inbox.js';
import { customerMetrics, type Metrics } from '#shared/domain/metrics.js';
import type { Page } from '#shared/domain/paging.js';
import type { Clock } from '#shared/domain/ports.js';
import type { CustomerExport, ErasureReport } from '#shared/domain/privacy.js';
import { type ReplyDeps, ReplyRequestSchema, sendReply } from '#shared/domain/replies.js';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '#shared/errors.js';
import { notFound, onError } from '#shared/http/on-error.js';
import type { OutboxEntry } from '#shared/local/outbox.js';
import {
  AssignRequestSchema,
  DOCS_PAGE,
  IdSchema,
  NoteRequestSchema,
  OtherCustomerSchema,
  openApiDocument,
  TagsRequestSchema,
} from './openapi.js';

/** The reads the agent API makes. */
export interface AgentStore {
  findCustomerId(identity: Identity): Promise<string | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  findCustomersByName(prefix: string, limit: number): Promise<Customer[]>;
  timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<TimelineItem>>;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  inbox(
    filter: InboxFilter,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Conversation>>;
  suggestions(customerId: string): Promise<Suggestion[]>;
  setTags(customerId: string, tags: readonly string[]): Promise<void>;
  overallMetrics(): Promise<Metrics>;
  getAgent(agentId: string): Promise<AgentProfile | undefined>;
  putAgent(agent: AgentProfile): Promise<void>;
  listAgents(): Promise<Agent[]>;
}

/** The changes agents make to customers and conversations. */
export interface AgentAdmin {
  merge(targetId: string, sourceId: string, agentId: string, now: string): Promise<void>;
  unmerge(targetId: string, sourceId: string, agentId: string, now: string): Promise<void>;
  dismissSuggestion(customerId: string, otherId: string): Promise<void>;
  resolveConversation(conversationId: string, agentId: string, now: string): Promise<void>;
  reopenConversation(conversationId: string, agentId: string, now: string): Promise<void>;
  addNote(
    conversationId: string,
    text: string,
    agentId: string,
    now: string,
    noteId: string,
  ): Promise<TimelineItem>;
  assign(
    conversationId: string,
    target: { agentId?: string | undefined; queue?: string | undefined },
    by: string,
    now: string,
    eventId?: string,
  ): Promise<void>;
  export(customerId: string, now: string): Promise<CustomerExport>;
  erase(customerId: string, agentId: string, now: string): Promise<ErasureReport>;
}

/** What the agent API needs. */
export interface AgentAppDeps {
  store: AgentStore;
  admin: AgentAdmin;
  clock: Clock;
  replies: ReplyDeps;
  /** Local runtime only: what was "sent" with no provider credentials. */
  outbox?: () => OutboxEntry[];
  /** Resolves a bearer token to an agent id, or undefined when the token is not valid. */
  authenticate(token: string): Promise<string | undefined>;
  phone: PhoneOptions;
}

type Env = { Variables: { agentId: string } };

const LimitSchema = z.coerce.number().int().min(1).max(200).default(50);
const CursorSchema = z.string().max(4096).optional();
const SearchQuerySchema = z.string().trim().min(1).max(320);
const IdempotencyKeySchema = z.string().trim().min(1).max(255).optional();
const OptionalIdSchema = IdSchema.optional();
const InboxQuerySchema = z.object({
  status: z.enum(['open', 'resolved']).default('open'),
  assignee: z.string().max(128).optional(),
  queue: z.string().max(128).optional(),
  channel: z.optional(ChannelSchema),
  limit: LimitSchema,
  cursor: CursorSchema,
});
/** The largest request body: a reply is at most 64 Ki characters of text, ten attachments and a template. */
const MAX_BODY_BYTES = 1_048_576;

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

/** The identities a search string could be: a phone in any format, an email, or a raw handle. */
export function candidateIdentities(q: string, phone: PhoneOptions): Identity[] {
  const found: Identity[] = [];
  const email = normaliseEmail(q);
  if (email) found.push({ kind: 'email', value: email });
  if (/^[\d\s()+.\-:a-z]+$/i.test(q) && /\d{4}/.test(q.replace(/\D/g, ''))) {
    const e164 = normalisePhone(q, phone);
    if (e164) found.push({ kind: 'phone', value: e164 });
  }
  if (/^[\w.:-]{1,200}$/.test(q)) {
    for (const kind of ['messenger', 'instagram', 'whatsapp'] as const) found.push({ kind, value: q });
  }
  return found;
}

/**
 * The agent API under `/api`: bearer-token auth, stable JSON errors, `{items, cursor}` lists.
 */
export function createAgentApp(deps: AgentAppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.onError(onError);
  app.notFound(notFound);

  // The API's description is public: it holds no customer data, and a browser can open the page.
  // Built on the first request for it, not at cold start: nothing else needs it.
  let document: Record<string, unknown> | undefined;
  app.get('/api/openapi.json', (c) => {
    document ??= openApiDocument();
    return c.json(document);
  });
  app.get('/api/docs', (c) => c.html(DOCS_PAGE));

  app.use('/api/*', async (c, next) => {
    if (c.req.path === '/api/openapi.json' || c.req.path === '/api/docs') return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([^\s]{1,4096})$/.exec(header);
    const agentId = match?.[1] ? await deps.authenticate(match[1]) : undefined;
    if (!agentId) throw new UnauthorizedError('missing or invalid bearer token');
    c.set('agentId', agentId);
    await next();
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`body over ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.get('/api/customers', async (c) => {
    const q = parse(SearchQuerySchema, c.req.query('q'));
    const byId = new Map<string, Customer>();
    for (const identity of candidateIdentities(q, deps.phone)) {
      const id = await deps.store.findCustomerId(identity);
      const customer = id && !byId.has(id) ? await deps.store.getCustomer(id) : undefined;
      if (customer) byId.set(customer.id, customer);
    }
    for (const customer of await deps.store.findCustomersByName(q, 25)) byId.set(customer.id, customer);
    return c.json({ items: [...byId.values()], cursor: null });
  });

  app.get('/api/customers/:id', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const customer = await deps.store.getCustomer(id);
    if (!customer) throw new NotFoundError(`no customer ${id}`);
    const openConversation = customer.openConversationId
      ? ((await deps.store.getConversation(customer.openConversationId)) ?? null)
      : null;
    const suggestions = (await deps.store.suggestions(id)).filter((s) => s.status === 'open');
    return c.json({ ...customer, openConversation, suggestions });
  });

  const body = async (c: { req: { arrayBuffer(): Promise<ArrayBuffer> } }): Promise<unknown> => {
    // Read outside the try: a body over the limit fails here, and bodyLimit answers 413.
    const bytes = await c.req.arrayBuffer();
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw new ValidationError('body is not UTF-8 JSON', { cause: error });
    }
  };

  app.post('/api/customers/:id/merge', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const { customerId } = parse(OtherCustomerSchema, await body(c));
    await deps.admin.merge(id, customerId, c.get('agentId'), deps.clock.now().toISOString());
    return c.json({ ...(await deps.store.getCustomer(id)) });
  });

  app.post('/api/customers/:id/unmerge', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const { customerId } = parse(OtherCustomerSchema, await body(c));
    await deps.admin.unmerge(id, customerId, c.get('agentId'), deps.clock.now().toISOString());
    return c.json({ ...(await deps.store.getCustomer(id)) });
  });

  app.get('/api/customers/:id/suggestions', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    return c.json({ items: await deps.store.suggestions(id), cursor: null });
  });

  app.post('/api/customers/:id/suggestions/:otherId/accept', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const otherId = parse(IdSchema, c.req.param('otherId'));
    const suggestion = (await deps.store.suggestions(id)).find((s) => s.otherId === otherId);
    if (!suggestion) throw new NotFoundError(`no suggestion between ${id} and ${otherId}`);
    await deps.admin.merge(id, otherId, c.get('agentId'), deps.clock.now().toISOString());
    return c.json({ ...(await deps.store.getCustomer(id)) });
  });

  app.post('/api/customers/:id/suggestions/:otherId/dismiss', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const otherId = parse(IdSchema, c.req.param('otherId'));
    await deps.admin.dismissSuggestion(id, otherId);
    return c.json({ dismissed: true });
  });

  app.get('/api/customers/:id/export', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    return c.json(await deps.admin.export(id, deps.clock.now().toISOString()));
  });

  app.delete('/api/customers/:id', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    return c.json(await deps.admin.erase(id, c.get('agentId'), deps.clock.now().toISOString()));
  });

  app.post('/api/conversations/:id/replies', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const idempotencyKey = parse(IdempotencyKeySchema, c.req.header('idempotency-key') || undefined);
    const request = parse(ReplyRequestSchema, await body(c));
    const { item, created } = await sendReply(deps.replies, {
      conversationId: id,
      request,
      agentId: c.get('agentId'),
      idempotencyKey,
    });
    return c.json({ reply: item }, created ? 202 : 200);
  });

  app.get('/api/outbox', (c) => {
    if (!deps.outbox) throw new NotFoundError('no local outbox: replies go to the providers');
    return c.json({ items: deps.outbox(), cursor: null });
  });

  app.put('/api/customers/:id/tags', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const { tags } = parse(TagsRequestSchema, await body(c));
    if (!(await deps.store.getCustomer(id))) throw new NotFoundError(`no customer ${id}`);
    await deps.store.setTags(id, [...new Set(tags)]);
    return c.json(await deps.store.getCustomer(id));
  });

  app.get('/api/metrics', async (c) => {
    const customerId = parse(OptionalIdSchema, c.req.query('customerId'));
    if (!customerId) return c.json({ overall: await deps.store.overallMetrics() });
    if (!(await deps.store.getCustomer(customerId))) throw new NotFoundError(`no customer ${customerId}`);
    const items: TimelineItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.store.timeline(customerId, { limit: 200, cursor });
      items.push(...page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor && items.length < 10_000);
    return c.json({ customerId, metrics: customerMetrics(items) });
  });

  /** Gives an agent who came online or freed up the conversation waiting longest in their queues. */
  const takeNextWaiting = async (agentId: string): Promise<void> => {
    const agent = (await deps.store.listAgents()).find((a) => a.id === agentId);
    if (!agent) return;
    const waiting = await deps.store.inbox({ status: 'open', assignee: 'unassigned' }, { limit: 200 });
    const next = nextWaitingConversation(
      waiting.items.flatMap((c) =>
        c.queue && c.waitingSince
          ? [{ conversationId: c.id, queue: c.queue, waitingSince: c.waitingSince }]
          : [],
      ),
      agent,
    );
    if (!next) return;
    const now = deps.clock.now().toISOString();
    await deps.admin.assign(
      next.conversationId,
      { agentId },
      'routing',
      now,
      `assigned:${next.conversationId}:${now}`,
    );
  };

  app.get('/api/agents', async (c) => {
    const agents = await deps.store.listAgents();
    return c.json({ items: agents.sort((a, b) => (a.id < b.id ? -1 : 1)), cursor: null });
  });

  app.put('/api/agents/me', async (c) => {
    const update = parse(AgentUpdateSchema, await body(c));
    const agentId = c.get('agentId');
    const agent = applyAgentUpdate(
      agentId,
      await deps.store.getAgent(agentId),
      update,
      deps.clock.now().toISOString(),
    );
    await deps.store.putAgent(agent);
    await takeNextWaiting(agentId);
    return c.json(agent);
  });

  app.post('/api/conversations/:id/notes', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const { text } = parse(NoteRequestSchema, await body(c));
    const item = await deps.admin.addNote(
      id,
      text,
      c.get('agentId'),
      deps.clock.now().toISOString(),
      deps.replies.newId(),
    );
    return c.json({ note: item }, 201);
  });

  app.post('/api/conversations/:id/assign', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const target = parse(AssignRequestSchema, await body(c));
    const agentId = target.agentId === 'me' ? c.get('agentId') : target.agentId;
    await deps.admin.assign(
      id,
      { agentId, queue: target.queue },
      c.get('agentId'),
      deps.clock.now().toISOString(),
    );
    return c.json(await deps.store.getConversation(id));
  });

  app.post('/api/conversations/:id/reopen', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    await deps.admin.reopenConversation(id, c.get('agentId'), deps.clock.now().toISOString());
    return c.json(await deps.store.getConversation(id));
  });

  app.post('/api/conversations/:id/resolve', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    await deps.admin.resolveConversation(id, c.get('agentId'), deps.clock.now().toISOString());
    // The agent has room again: the longest-waiting conversation of their queues is theirs.
    await takeNextWaiting(c.get('agentId'));
    return c.json(await deps.store.getConversation(id));
  });

  app.get('/api/customers/:id/timeline', async (c) => {
    const id = parse(IdSchema, c.req.param('id'));
    const limit = parse(LimitSchema, c.req.query('limit'));
    const cursor = parse(CursorSchema, c.req.query('cursor'));
    if (!(await deps.store.getCustomer(id))) throw new NotFoundError(`no customer ${id}`);
    return c.json(await deps.store.timeline(id, { limit, cursor }));
  });

  app.get('/api/conversations', async (c) => {
    const query = parse(InboxQuerySchema, c.req.query());
    const assignee = query.assignee === 'me' ? c.get('agentId') : query.assignee;
    const page = await deps.store.inbox(
      { status: query.status, assignee, queue: query.queue, channel: query.channel },
      { limit: query.limit, cursor: query.cursor },
    );
    return c.json(page);
  });

  return app;
}
