import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import type { ReplyDeps } from '#shared/app/send-reply.js';
import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { AgentProfile } from '#shared/domain/assignment.js';
import type { Identity } from '#shared/domain/envelope.js';
import { identityToken } from '#shared/domain/identity.js';
import type { Metrics } from '#shared/domain/metrics.js';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { ConflictError, GoneError } from '#shared/errors.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';

const sheena: Customer = {
  id: 'cu_1',
  name: 'Sheena Nelson',
  identities: [{ kind: 'phone', value: '+16505551234' }],
  channels: ['whatsapp'],
  createdAt: '2025-06-08T21:00:00.000Z',
  openConversationId: 'cv_1',
  mergedFrom: [],
  tags: [],
  lastInboundByChannel: {},
};
const conversation: Conversation = {
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  createdAt: '2025-06-08T21:00:00.000Z',
  waitingSince: '2025-06-08T20:59:43.000Z',
  channels: ['whatsapp'],
  channelSwitch: false,
};
const item: TimelineItem = {
  id: 'whatsapp:wamid.A',
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  text: '<script>alert(1)</script>',
  at: '2025-06-08T20:59:43.000Z',
  customerId: 'cu_1',
};

/** A console lease running past the tests' clock: the agents' consoles are open. */
const CONSOLE_OPEN = '2100-01-01T00:00:00.000Z';

function fakeStore(): AgentStore & { inboxCalls: unknown[]; renamed: unknown[][]; removalLooks: string[] } {
  const inboxCalls: unknown[] = [];
  const renamed: unknown[][] = [];
  const removalLooks: string[] = [];
  const identities = new Map<string, string>([['phone#+16505551234', 'cu_1']]);
  const agents = new Map<string, AgentProfile>();
  const removed = new Set<string>();
  return {
    inboxCalls,
    renamed,
    removalLooks,
    markAgentRemoved: async (id) => void removed.add(id),
    listAgentRemoved: async (_id, by) => !removed.has(by),
    isAgentRemoved: async (id) => {
      removalLooks.push(id);
      return removed.has(id);
    },
    restoreAgent: async (id) => void removed.delete(id),
    removeConsoleLease: async () => {},
    renameCustomer: async (...args) => {
      renamed.push(args);
    },
    findCustomerId: async (identity: Identity) => identities.get(identityToken(identity)),
    getAgent: async (id) => agents.get(id),
    putAgent: async (agent, expects) => {
      if (expects && agents.has(agent.id) !== (expects === 'registered')) return false;
      agents.set(agent.id, agent);
      return true;
    },
    removeAgent: async (id) => {
      agents.delete(id);
    },
    listRemovedHolding: async () => [],
    listRemovedAgents: async () => ({ items: [], cursor: null }),
    noteAgentRole: async () => {},
    adminIds: async () => new Set<string>(),
    listAgents: async () =>
      [...agents.values()].map(({ updatedAt: _at, ...agent }) => ({
        ...agent,
        openConversations: 0,
        connectedUntil: CONSOLE_OPEN,
      })),
    getAgentNow: async (id) => {
      const profile = agents.get(id);
      if (!profile) return undefined;
      const { updatedAt: _at, ...agent } = profile;
      return { ...agent, openConversations: 0, connectedUntil: CONSOLE_OPEN };
    },
    claimAgentSlot: async () => ({ claimed: true }),
    markRefill: async () => true,
    clearRefill: async () => undefined,
    heldConversations: async () => [],
    registerHolding: async () => false,
    getCustomer: async (id) => (id === 'cu_1' ? sheena : undefined),
    getCustomers: async (ids) => (ids.includes('cu_1') ? [sheena] : []),
    listCustomers: async (page) => ({ items: [sheena], cursor: page.cursor ? null : 'next' }),
    findCustomersByName: async (prefix, page) => ({
      items:
        page.limit > 0 &&
        !page.skip?.includes('cu_1') &&
        sheena.name?.toLowerCase().startsWith(prefix.toLowerCase())
          ? [sheena]
          : [],
      cursor: null,
    }),
    timeline: async (_id, page) => ({
      items: [item],
      cursor: page.cursor ? null : 'next',
      resume: page.cursor ? 'resume-last' : 'next',
    }),
    customerItem: async () => undefined,
    timelineBack: async (_id, page) => ({
      items: [item, { ...item, id: 'sms:B', channel: 'sms', at: '2025-06-08T21:00:00.000Z' }],
      cursor: page.cursor ? null : `back-${page.limit}`,
    }),
    getConversation: async (id) => (id === 'cv_1' ? conversation : undefined),
    inbox: async (filter, page) => {
      inboxCalls.push({ filter, page });
      return { items: [conversation], cursor: null };
    },
    suggestions: async () => [],
    setTags: async () => {},
    changeTags: async () => {},
    overallMetrics: async () => ({
      routed: 4,
      aiResolutionRate: 0.5,
      handoffReasons: { asked_for_person: 2 },
      firstResponseMs: { median: null, mean: 1000, conversations: 2 },
      firstHumanResponseMs: { median: null, mean: null, conversations: 0 },
      channelSwitchRate: 0.25,
    }),
    csatAnswers: async () => ({ items: [], cursor: null }),
  };
}

function fakeAdmin(): AgentAdmin & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    merge: async (...args) => {
      calls.push(['merge', ...args]);
      return { targetId: args[0], sourceId: args[1] };
    },
    unmerge: async (...args) => {
      calls.push(['unmerge', ...args]);
      return { complete: true, moved: 0 };
    },
    dismissSuggestion: async (...args) => {
      calls.push(['dismiss', ...args]);
    },
    resolveConversation: async (...args) => {
      calls.push(['resolve', ...args]);
      return args[2];
    },
    reopenConversation: async (...args) => {
      calls.push(['reopen', ...args]);
    },
    addNote: async (conversationId, text, agentId, now, noteId) => {
      calls.push(['note', conversationId, text, agentId]);
      return { id: `note:${noteId}`, type: 'note', at: now, customerId: 'cu_1', conversationId, text };
    },
    addKeyedNote: async ({ conversationId, text, agentId, now, noteId, requestHash }) => {
      calls.push(['keyedNote', conversationId, text, agentId]);
      const item = {
        id: `note:${noteId}`,
        type: 'note' as const,
        at: now,
        customerId: 'cu_1',
        conversationId,
        text,
      };
      return { item, created: true, requestHash };
    },
    assign: async (...args) => {
      calls.push(['assign', ...args]);
    },
    joinConversation: async (keptId, merged) => {
      calls.push(['join', keptId, merged.id]);
    },
    adoptConversation: async (conversationId, customers) => {
      calls.push(['adopt', conversationId, customers]);
      return true;
    },
    releaseAdopted: async (...args) => {
      calls.push(['releaseAdopted', ...args]);
    },
    waitFromJoined: async (...args) => {
      calls.push(['waitFromJoined', ...args]);
      return false;
    },
    export: async (id, now) => ({
      exportedAt: now,
      customers: [{ id }],
      timeline: [],
      rawPayloads: [],
      conversations: [],
      suggestions: [],
      contactStates: [],
      webchatSessions: [],
      auditRecords: [],
      webhookRecipients: [],
      truncated: {
        contactStates: false,
        webchatSessions: false,
        auditRecords: false,
        webhookRecipients: false,
      },
    }),
    erase: async (customerId, agentId, now) => ({
      customerId,
      customerIds: [customerId],
      erasedAt: now,
      erasedBy: agentId,
      customers: 1,
      identities: 1,
      timelineItems: 1,
      conversations: 1,
      liveEvents: 0,
      complete: true,
    }),
  };
}

function fakeReplies(): ReplyDeps & { queued: OutboundMessage[] } {
  const queued: OutboundMessage[] = [];
  const replies = new Map<string, OutboundMessage>();
  const hashes = new Map<string, string | undefined>();
  return {
    queued,
    clock: { now: () => new Date('2025-06-09T10:00:00.000Z') },
    newId: () => `rp_${replies.size + 1}`,
    queue: {
      enqueue: async (message) => {
        queued.push(message);
      },
    },
    store: {
      getConversation: async (id) => (id === 'cv_1' ? conversation : undefined),
      mergedCustomers: async (id) => ({
        partitions: [id],
        customers:
          id === 'cu_1'
            ? [
                {
                  ...sheena,
                  lastInboundChannel: 'whatsapp',
                  lastInboundByChannel: { whatsapp: '2025-06-08T20:59:43.000Z' },
                },
              ]
            : [],
      }),
      getContactState: async () => undefined,
      lastInbound: async () => undefined,
      setLastAgent: async () => {},
      putReply: async (message, requestHash) => {
        const existing = replies.get(message.id);
        if (existing) return { message: existing, created: false, requestHash: hashes.get(message.id) };
        replies.set(message.id, message);
        hashes.set(message.id, requestHash);
        return { message, created: true };
      },
      putTimelineItem: async () => true,
      hasReply: async (id) => replies.has(id),
      placeReply: async () => {
        throw new Error('the agent API places no AI reply');
      },
    },
  };
}

const CALLERS = {
  'secret-token': { agentId: 'agent-7', admin: false },
  'admin-token': { agentId: 'admin-1', admin: true },
} as const;

/** The agent API over the fakes; `more` adds or replaces dependencies (a routing policy's queues...). */
function app(
  store = fakeStore(),
  admin = fakeAdmin(),
  replies = fakeReplies(),
  audit = memoryAuditLog(),
  more: Partial<AgentAppDeps> = {},
) {
  return createAgentApp({
    store,
    admin,
    audit,
    replies,
    clock: { now: () => new Date('2025-06-09T10:00:00.000Z') },
    authenticate: async (token) => CALLERS[token as keyof typeof CALLERS],
    phone: { defaultRegion: 'US' },
    cursors,
    ...more,
  });
}

/** The page cursors the app seals with: a test opens what it answered to see the store's own. */
const cursors = pageCursors('a key of thirty-two characters or more for tests');

/** The agent API with a routing policy whose queues are `general` and `billing`. */
const withPolicyQueues = (store: ReturnType<typeof fakeStore>, admin = fakeAdmin()) =>
  app(store, admin, undefined, undefined, { queueNames: () => ['general', 'billing'] });

const auth = { headers: { Authorization: 'Bearer secret-token' } };
const asAdmin = { headers: { Authorization: 'Bearer admin-token' } };

describe('agent API', () => {
  it.each([
    ['no header', {}, 'Bearer realm="threadline"'],
    [
      'a wrong token',
      { headers: { Authorization: 'Bearer nope' } },
      'Bearer realm="threadline", error="invalid_token"',
    ],
    [
      'a non-bearer scheme',
      { headers: { Authorization: 'Basic c2VjcmV0LXRva2Vu' } },
      'Bearer realm="threadline"',
    ],
  ])(
    'answers 401 with a JSON error and the Bearer challenge (RFC 6750 §3) for %s',
    async (_name, init, challenge) => {
      const res = await app().request('/api/customers/cu_1', init);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(challenge);
      expect(await res.json()).toEqual({
        error: { code: 'unauthorized', message: 'missing or invalid bearer token' },
      });
    },
  );

  it.each(['bearer', 'BEARER', 'Bearer', 'bEaReR  '])(
    'takes the bearer scheme in any case: %j',
    async (scheme) => {
      const res = await app().request('/api/customers/cu_1', {
        headers: { authorization: `${scheme} secret-token` },
      });
      expect(res.status).toBe(200);
    },
  );

  it.each(['Bearer', 'Bearer  ', 'Bearerx secret-token', 'Basic secret-token', 'bearer secret-token x'])(
    'refuses the authorization %j with 401',
    async (header) => {
      expect(
        (await app().request('/api/customers/cu_1', { headers: { authorization: header } })).status,
      ).toBe(401);
    },
  );

  it.each(['+16505551234', '(650) 555-1234', '16505551234', 'whatsapp:+16505551234', 'Sheena'])(
    'finds the customer by %s',
    async (q) => {
      const res = await app().request(`/api/customers?q=${encodeURIComponent(q)}`, auth);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Customer[]; cursor: null };
      expect(body.items.map((c) => c.id)).toEqual(['cu_1']);
      expect(body.cursor).toBeNull();
    },
  );

  it('lists every customer without q, a page at a time', async () => {
    const res = await app().request('/api/customers?limit=2', auth);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Customer[]; cursor: string };
    expect(page.items).toEqual([sheena]);
    expect(page.cursor).not.toBe('next');
    expect(cursors.open(page.cursor, ['customers'])).toBe('next');
  });

  it.each(['q=', 'q=%20', 'limit=0', 'limit=201'])('answers 400 to /api/customers?%s', async (query) => {
    const res = await app().request(`/api/customers?${query}`, auth);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('returns the profile with its open conversation', async () => {
    const res = await app().request('/api/customers/cu_1', auth);
    expect(await res.json()).toEqual({ ...sheena, openConversation: conversation, suggestions: [] });
  });

  it('answers 404 for an unknown customer and 400 for an id that cannot be one', async () => {
    expect((await app().request('/api/customers/cu_404', auth)).status).toBe(404);
    expect((await app().request(`/api/customers/${'x'.repeat(200)}`, auth)).status).toBe(400);
    expect((await app().request('/api/customers/..%2F..%2Fetc', auth)).status).toBe(400);
  });

  it('returns the timeline as a page, text JSON-escaped verbatim', async () => {
    const res = await app().request('/api/customers/cu_1/timeline', auth);
    expect(res.headers.get('content-type')).toContain('application/json');
    const page = (await res.json()) as { items: TimelineItem[]; cursor: string; resume: string };
    expect(page.items).toEqual([item]);
    expect(cursors.open(page.cursor, ['timeline', 'cu_1', 'oldest'])).toBe('next');
    expect(page.resume).toBe(page.cursor);
  });

  it('reads the timeline from its end with order=newest, channel switches derived within the page', async () => {
    const res = await app().request('/api/customers/cu_1/timeline?order=newest&limit=20', auth);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: TimelineItem[]; cursor: string | null };
    expect(cursors.open(page.cursor ?? '', ['timeline', 'cu_1', 'newest'])).toBe('back-20');
    expect(page.items.map((i) => i.id)).toEqual(['whatsapp:wamid.A', 'switch:sms:B', 'sms:B']);
    expect((await app().request('/api/customers/cu_1/timeline?order=oldest', auth)).status).toBe(200);
    expect((await app().request('/api/customers/cu_1/timeline?order=sideways', auth)).status).toBe(400);
  });

  it('reads the inbox with "me" as the calling agent', async () => {
    const store = fakeStore();
    const res = await app(store).request(
      '/api/conversations?assignee=me&queue=billing&channel=sms&limit=5',
      auth,
    );
    expect(res.status).toBe(200);
    expect(store.inboxCalls).toEqual([
      {
        filter: { status: 'open', sort: 'waiting', assignee: 'agent-7', queue: 'billing', channel: 'sms' },
        page: { limit: 5, cursor: undefined },
      },
    ]);
  });

  it('answers 422 unknown_queue for an inbox filter on a queue the policy does not have, reading nothing', async () => {
    const store = fakeStore();
    const api = withPolicyQueues(store);
    for (const queue of ['nope', 'Billing', 'billing%20']) {
      const res = await api.request(`/api/conversations?queue=${queue}&sort=due`, auth);
      expect(res.status, queue).toBe(422);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('unknown_queue');
      expect(error.message).toContain('(queues: general, billing)');
    }
    expect(store.inboxCalls).toEqual([]);
    // A queue of the policy, and no filter (`queue=` is none, as before), read as before.
    expect((await api.request('/api/conversations?queue=billing', auth)).status).toBe(200);
    expect((await api.request('/api/conversations?queue=', auth)).status).toBe(200);
    expect(store.inboxCalls).toMatchObject([{ filter: { queue: 'billing' } }, { filter: { queue: '' } }]);
  });

  // QA: an unknown assignee answered 200 with no items, as if the agent held nothing.
  it('answers 422 unknown_agent for an assignee never registered, but lists a removed one', async () => {
    const store = fakeStore();
    store.inbox = async () => ({ items: [], cursor: null });
    const res = await app(store).request('/api/conversations?assignee=ANA', auth);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('unknown_agent');
    expect(error.message).toContain('"ANA"');
    // A removed agent may still hold conversations: known, listed (none here).
    await store.markAgentRemoved('agent-gone', { at: '2025-06-09T09:00:00.000Z', by: 'admin-1' });
    expect((await app(store).request('/api/conversations?assignee=agent-gone', auth)).status).toBe(200);
    // Yourself, `me` and `unassigned` are always known.
    for (const assignee of ['me', 'unassigned', 'agent-7'])
      expect((await app(store).request(`/api/conversations?assignee=${assignee}`, auth)).status).toBe(200);
  });

  it('lists the conversations an agent holds without reading the agent, registered or not', async () => {
    const store = fakeStore();
    const res = await app(store).request('/api/conversations?assignee=agent-unregistered', auth);
    expect(res.status).toBe(200);
    expect(store.removalLooks).not.toContain('agent-unregistered');
  });

  it("answers each conversation with its customer's summary, the page's profiles read at once", async () => {
    const store = fakeStore();
    const asked: string[][] = [];
    const orphan = { ...conversation, id: 'cv_2', customerId: 'cu_gone' };
    const { waitingSince: _w, ...answered } = {
      ...conversation,
      id: 'cv_4',
      answeredAt: '2025-06-08T21:01:00.000Z',
    };
    store.inbox = async () => ({
      items: [conversation, orphan, { ...conversation, id: 'cv_3' }, answered],
      cursor: null,
    });
    store.getCustomers = async (ids) => {
      asked.push([...ids]);
      return ids.includes('cu_1') ? [sheena] : [];
    };
    const res = await app(store).request('/api/conversations', auth);
    expect(res.status).toBe(200);
    const summary = { id: 'cu_1', name: 'Sheena Nelson', identity: { kind: 'phone', value: '+16505551234' } };
    expect(await res.json()).toEqual({
      items: [
        { ...conversation, waiting: true, customer: summary },
        { ...orphan, waiting: true },
        { ...conversation, id: 'cv_3', waiting: true, customer: summary },
        // Open and answered: not waiting.
        { ...answered, waiting: false, customer: summary },
      ],
      cursor: null,
    });
    expect(asked).toEqual([['cu_1', 'cu_gone']]);
  });

  it('reads the inbox sorted by due with the same filters and cursor', async () => {
    const store = fakeStore();
    const scope = ['inbox', 'open', 'due', undefined, 'billing', undefined] as const;
    const cursor = cursors.seal('abc', scope);
    const res = await app(store).request(`/api/conversations?sort=due&queue=billing&cursor=${cursor}`, auth);
    expect(res.status).toBe(200);
    expect(store.inboxCalls).toEqual([
      {
        filter: { status: 'open', sort: 'due', queue: 'billing' },
        page: { limit: 50, cursor: 'abc' },
      },
    ]);
  });

  it('answers 400 for an unknown inbox status and a limit out of range', async () => {
    expect((await app().request('/api/conversations?status=maybe', auth)).status).toBe(400);
    expect((await app().request('/api/conversations?limit=5000', auth)).status).toBe(400);
    const badSort = await app().request('/api/conversations?sort=soonest', auth);
    expect(badSort.status).toBe(400);
    expect(((await badSort.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('answers a JSON 404 for an unknown route', async () => {
    const res = await app().request('/api/nothing-here', auth);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } });
  });
});

describe('agent API: one conversation', () => {
  it("answers the conversation as the inbox lists it, with its customer's summary, in two reads", async () => {
    const store = fakeStore();
    const reads: string[] = [];
    store.getConversation = async (id) => {
      reads.push(`conversation ${id}`);
      return id === 'cv_1' ? conversation : undefined;
    };
    store.getCustomer = async (id) => {
      reads.push(`customer ${id}`);
      return id === 'cu_1' ? sheena : undefined;
    };
    const res = await app(store).request('/api/conversations/cv_1', auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ...conversation,
      waiting: true,
      customer: { id: 'cu_1', name: 'Sheena Nelson', identity: { kind: 'phone', value: '+16505551234' } },
    });
    expect(reads).toEqual(['conversation cv_1', 'customer cu_1']);
  });

  it('answers a conversation whose profile is missing without a customer', async () => {
    const store = fakeStore();
    store.getConversation = async () => ({ ...conversation, customerId: 'cu_missing' });
    const res = await app(store).request('/api/conversations/cv_1', auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...conversation, customerId: 'cu_missing', waiting: true });
  });

  it('answers 404 for an unknown conversation, 400 for a bad id and 401 without a token', async () => {
    const unknown = await app().request('/api/conversations/cv_404', auth);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'no conversation cv_404' } });
    expect((await app().request('/api/conversations/a.b', auth)).status).toBe(400);
    expect((await app().request('/api/conversations/cv_1')).status).toBe(401);
  });

  it("answers 410 gone when the conversation's customer was erased", async () => {
    const store = fakeStore();
    store.getCustomer = async (id) => {
      throw new GoneError(`customer ${id} was erased`);
    };
    const res = await app(store).request('/api/conversations/cv_1', auth);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('gone');
  });
});

describe('agent API: customer changes', () => {
  it('merges another customer in as the calling admin', async () => {
    const admin = fakeAdmin();
    const res = await app(fakeStore(), admin).request('/api/customers/cu_1/merge', {
      method: 'POST',
      headers: { ...asAdmin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'cu_2' }),
    });
    expect(res.status).toBe(200);
    expect(admin.calls).toEqual([['merge', 'cu_1', 'cu_2', 'admin-1', '2025-06-09T10:00:00.000Z']]);
  });

  it('answers 400 for a merge without a valid customerId', async () => {
    const admin = fakeAdmin();
    for (const body of ['{"customerId":"../x"}', 'not json', '{}']) {
      const res = await app(fakeStore(), admin).request('/api/customers/cu_1/merge', {
        method: 'POST',
        headers: { ...asAdmin.headers, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
    }
    expect(admin.calls).toEqual([]);
  });

  it('renames a customer as any agent, and answers the customer', async () => {
    const store = fakeStore();
    const rename = (id: string, body: string) =>
      app(store).request(`/api/customers/${id}`, {
        method: 'PATCH',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body,
      });
    const res = await rename('cu_1', '{"name":"  Sheena N. Nelson "}');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Customer).id).toBe('cu_1');
    expect(store.renamed).toEqual([['cu_1', 'Sheena N. Nelson']]);
    for (const body of [
      '{"name":""}',
      '{"nmae":"x"}',
      '{}',
      `{"name":"${'x'.repeat(257)}"}`,
      '{"name":null}',
    ]) {
      expect([body, (await rename('cu_1', body)).status]).toEqual([body, 400]);
    }
    expect((await rename('cu_9', '{"name":"Ann"}')).status).toBe(404);
    expect(store.renamed).toHaveLength(1);
  });

  it('erases a customer and answers the erasure report', async () => {
    const res = await app().request('/api/customers/cu_1', { method: 'DELETE', ...asAdmin });
    expect(await res.json()).toMatchObject({ customerId: 'cu_1', erasedBy: 'admin-1', timelineItems: 1 });
  });

  it('resolves a conversation as the calling agent', async () => {
    const admin = fakeAdmin();
    const res = await app(fakeStore(), admin).request('/api/conversations/cv_1/resolve', {
      method: 'POST',
      ...auth,
    });
    expect(res.status).toBe(200);
    expect(admin.calls).toEqual([['resolve', 'cv_1', 'agent-7', '2025-06-09T10:00:00.000Z']]);
  });
});

describe('agent API: replies', () => {
  const post = (replies: ReturnType<typeof fakeReplies>, body: unknown, key?: string) =>
    app(fakeStore(), fakeAdmin(), replies).request('/api/conversations/cv_1/replies', {
      method: 'POST',
      headers: {
        ...auth.headers,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });

  it('queues a reply on the customer\u2019s last inbound channel, within the WhatsApp window', async () => {
    const replies = fakeReplies();
    const res = await post(replies, { text: 'It ships today' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      reply: {
        id: 'reply:rp_1',
        channel: 'whatsapp',
        direction: 'outbound',
        status: 'queued',
        text: 'It ships today',
      },
    });
    expect(replies.queued.map((m) => [m.channel, m.to, m.author])).toEqual([
      ['whatsapp', { kind: 'phone', value: '+16505551234' }, { kind: 'agent', id: 'agent-7' }],
    ]);
  });

  it('returns the first result for a retried Idempotency-Key', async () => {
    const replies = fakeReplies();
    const first = await post(replies, { text: 'It ships today' }, 'key-1');
    const again = await post(replies, { text: 'It ships today' }, 'key-1');
    expect([first.status, again.status]).toEqual([202, 200]);
    const [a, b] = [await first.json(), await again.json()];
    expect(b).toEqual(a);
  });

  it('answers 422 idempotency_key_reused for a key sent again with another body, and sends nothing more', async () => {
    const replies = fakeReplies();
    expect((await post(replies, { text: 'It ships today' }, 'key-1')).status).toBe(202);
    for (const body of [{ text: 'It ships tomorrow' }, { text: 'It ships today', channel: 'whatsapp' }]) {
      const reused = await post(replies, body, 'key-1');
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({
        error: { code: 'idempotency_key_reused', message: expect.stringContaining('Idempotency-Key') },
      });
    }
    // The same body, its keys in another order or its text padded as validation trims it, is a retry.
    const again = await post(replies, { attachments: [], text: ' It ships today ' }, 'key-1');
    expect(again.status).toBe(200);
    expect(replies.queued.map((m) => m.text)).toEqual(['It ships today', 'It ships today']);
  });

  it('gives an open unassigned conversation to the agent who replies, conditionally, and leaves an owned one alone', async () => {
    const reply = (
      store: ReturnType<typeof fakeStore>,
      admin: ReturnType<typeof fakeAdmin>,
      extra: Record<string, unknown> = {},
    ) =>
      app(store, admin).request('/api/conversations/cv_1/replies', {
        method: 'POST',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'On it', ...extra }),
      });
    const admin = fakeAdmin();
    expect((await reply(fakeStore(), admin)).status).toBe(202);
    expect(admin.calls).toEqual([
      [
        'assign',
        'cv_1',
        { agentId: 'agent-7' },
        'agent-7',
        '2025-06-09T10:00:00.000Z',
        'assigned:cv_1:reply:2025-06-09T10:00:00.000Z',
        { ifUnassigned: true },
      ],
    ]);
    const cases = [
      [{ assignee: 'agent-7' }, {}, 202],
      [{ assignee: 'bob', status: 'resolved' as const }, {}, 202],
      [{ assignee: 'bob' }, { expectedAssignee: 'bob' }, 202],
      // Bob's: refused, nothing written or sent (the refusal read the conversation again, strongly).
      [{ assignee: 'bob' }, {}, 409],
      [{ assignee: 'bob' }, { expectedAssignee: '' }, 409],
    ] as const;
    for (const [other, extra, status] of cases) {
      const owned = fakeAdmin();
      const store = { ...fakeStore(), getConversation: async () => ({ ...conversation, ...other }) };
      const res = await reply(store, owned, extra);
      expect(res.status, JSON.stringify([other, extra])).toBe(status);
      if (status === 409) {
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('assignee_changed');
        expect(error.message).toMatch(/^bob has this conversation: your reply was not sent/);
      }
      expect(owned.calls).toEqual([]);
    }
  });

  it('answers 400 for a reply with nothing to send', async () => {
    const res = await post(fakeReplies(), { channel: 'whatsapp' });
    expect(res.status).toBe(400);
  });

  it('answers 400 naming an unknown key, in the body, its template or an attachment, and queues nothing', async () => {
    const replies = fakeReplies();
    for (const [body, key] of [
      [{ text: 'x', chanel: 'sms' }, 'chanel'],
      [{ template: { name: 'hello', language: 'en', paramaters: ['a'] } }, 'paramaters'],
      [{ attachments: [{ url: 'https://example.com/a.pdf', mime: 'application/pdf' }] }, 'mime'],
    ] as const) {
      const res = await post(replies, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(key);
    }
    expect(replies.queued).toEqual([]);
  });
});

describe('agent API: notes and assignment', () => {
  const post = (admin: ReturnType<typeof fakeAdmin>, path: string, body: unknown) =>
    app(fakeStore(), admin).request(path, {
      method: 'POST',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('adds an internal note as the calling agent', async () => {
    const admin = fakeAdmin();
    const res = await post(admin, '/api/conversations/cv_1/notes', { text: 'VIP, be quick' });
    expect(res.status).toBe(201);
    expect(admin.calls).toEqual([['note', 'cv_1', 'VIP, be quick', 'agent-7']]);
  });

  it('assigns to "me" and transfers to a queue', async () => {
    const admin = fakeAdmin();
    await post(admin, '/api/conversations/cv_1/assign', { agentId: 'me' });
    await post(admin, '/api/conversations/cv_1/assign', { queue: 'billing' });
    expect(admin.calls).toEqual([
      ['assign', 'cv_1', { agentId: 'agent-7', queue: undefined }, 'agent-7', '2025-06-09T10:00:00.000Z'],
      ['assign', 'cv_1', { agentId: undefined, queue: 'billing' }, 'agent-7', '2025-06-09T10:00:00.000Z'],
    ]);
  });

  it('answers 422 for an agent never registered or a queue the policy does not have, and assigns nothing', async () => {
    const admin = fakeAdmin();
    const store = fakeStore();
    await store.putAgent({
      id: 'bob',
      presence: 'online',
      queues: ['general'],
      languages: [],
      capacity: 5,
      updatedAt: '2025-06-09T09:00:00.000Z',
    });
    const api = withPolicyQueues(store, admin);
    const assign = (body: unknown) =>
      api.request('/api/conversations/cv_1/assign', {
        method: 'POST',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const typo = await assign({ agentId: 'bbo' });
    expect(typo.status).toBe(422);
    expect(await typo.json()).toMatchObject({ error: { code: 'unknown_agent' } });
    const queue = await assign({ agentId: 'bob', queue: 'billng' });
    expect(queue.status).toBe(422);
    expect(await queue.json()).toMatchObject({ error: { code: 'unknown_queue' } });
    expect(admin.calls).toEqual([]);
    // The caller needs no registration to take it, a registered agent and a policy queue are taken.
    expect((await assign({ agentId: 'me' })).status).toBe(200);
    expect((await assign({ agentId: 'bob', queue: 'billing' })).status).toBe(200);
    expect((await assign({ agentId: '' })).status).toBe(200);
    expect(admin.calls.map((call) => call[2])).toEqual([
      { agentId: 'agent-7', queue: undefined },
      { agentId: 'bob', queue: 'billing' },
      { agentId: '', queue: undefined },
    ]);
  });

  it('answers 422 unknown_queue naming each queue the policy does not have when an agent joins it, and saves nothing', async () => {
    const store = fakeStore();
    const api = withPolicyQueues(store);
    const put = (body: unknown) =>
      api.request('/api/agents/me', {
        method: 'PUT',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const typo = await put({ presence: 'online', queues: ['general', 'Billing ', 'biling'] });
    expect(typo.status).toBe(422);
    const { error } = (await typo.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('unknown_queue');
    expect(error.message).toContain('"Billing"');
    expect(error.message).toContain('"biling"');
    expect(error.message).not.toContain('"general"');
    expect(await store.getAgent('agent-7')).toBeUndefined();
    // Whitespace around a policy queue is trimmed; the name itself must match exactly.
    const ok = await put({ presence: 'online', queues: [' billing '] });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ queues: ['billing'] });
    // A change that names no queue is not checked against them.
    expect((await put({ presence: 'away' })).status).toBe(200);
  });

  it('lists an agent registered in a queue the policy no longer has with that queue in unknownQueues', async () => {
    const store = fakeStore();
    const registered = {
      presence: 'online',
      languages: [],
      capacity: 5,
      updatedAt: '2025-06-09T09:00:00.000Z',
    };
    // Registered when the policy still had `returns` (it was taken out, then a restart).
    await store.putAgent({ id: 'ana', queues: ['returns', 'general'], ...registered } as AgentProfile);
    await store.putAgent({ id: 'bob', queues: ['general'], ...registered } as AgentProfile);
    await store.putAgent({ id: 'cy', queues: ['returns'], ...registered } as AgentProfile);
    const api = withPolicyQueues(store);
    const { items } = (await (await api.request('/api/agents', auth)).json()) as {
      items: Array<{ id: string; queues: string[]; unknownQueues?: string[] }>;
    };
    expect(items.map(({ id, queues, unknownQueues }) => ({ id, queues, unknownQueues }))).toEqual([
      // Their queues as registered, unchanged; those routing hands nothing from, named.
      { id: 'ana', queues: ['returns', 'general'], unknownQueues: ['returns'] },
      { id: 'bob', queues: ['general'], unknownQueues: undefined },
      { id: 'cy', queues: ['returns'], unknownQueues: ['returns'] },
    ]);
    expect(Object.keys(items[1] ?? {})).not.toContain('unknownQueues');
  });

  it('answers an assignment, and names who has it on a refusal, from a strong read after the write', async () => {
    // An eventually consistent read may not see the write just made (or the one that beat it yet).
    const stale = { ...conversation, assignee: undefined };
    const written = { ...conversation, assignee: 'bob' };
    const store = {
      ...fakeStore(),
      getConversation: async (_id: string, options?: { consistent?: boolean }) =>
        options?.consistent ? written : stale,
    };
    const admin = fakeAdmin();
    const refusing = { ...admin, assign: async () => false as const };
    const assign = (a: typeof admin, body: unknown) =>
      app(store, a).request('/api/conversations/cv_1/assign', {
        method: 'POST',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const done = await assign(admin, { agentId: 'me' });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { assignee?: string }).assignee).toBe('bob');
    const refused = await assign(refusing, { agentId: 'me', expectedAssignee: '' });
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as { error: { message: string } };
    expect(error.message).toContain('bob has it now');
  });

  it('answers a resolve and a reopen from a strong read after the write', async () => {
    for (const [action, before, after] of [
      ['resolve', 'open', 'resolved'],
      ['reopen', 'resolved', 'open'],
    ] as const) {
      const store = {
        ...fakeStore(),
        getConversation: async (_id: string, options?: { consistent?: boolean }) => ({
          ...conversation,
          status: options?.consistent ? after : before,
        }),
      };
      const res = await app(store, fakeAdmin()).request(`/api/conversations/cv_1/${action}`, {
        method: 'POST',
        headers: auth.headers,
      });
      expect(res.status, action).toBe(200);
      expect(((await res.json()) as { status: string }).status, action).toBe(after);
    }
  });

  it('answers 400 for an assignment that names nobody', async () => {
    const res = await post(fakeAdmin(), '/api/conversations/cv_1/assign', {});
    expect(res.status).toBe(400);
  });

  it('registers the agent with PUT /api/agents/me, changing only the fields given, and lists agents', async () => {
    const api = app();
    const put = (body: unknown) =>
      api.request('/api/agents/me', {
        method: 'PUT',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await put({ presence: 'online', queues: ['general'], languages: ['en'] });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      id: 'agent-7',
      presence: 'online',
      queues: ['general'],
      languages: ['en'],
      capacity: 5,
      updatedAt: '2025-06-09T10:00:00.000Z',
    });
    expect(await (await put({ capacity: 2 })).json()).toMatchObject({ presence: 'online', capacity: 2 });
    expect((await put({ presence: 'busy' })).status).toBe(400);
    expect((await put({ nickname: 'x' })).status).toBe(400);
    const list = await api.request('/api/agents', auth);
    expect(await list.json()).toEqual({
      items: [
        {
          id: 'agent-7',
          presence: 'online',
          queues: ['general'],
          languages: ['en'],
          capacity: 2,
          openConversations: 0,
          connectedUntil: CONSOLE_OPEN,
          role: 'agent',
        },
      ],
      cursor: null,
    });
  });
});

describe('agent API: metrics', () => {
  it('reports the overall figures', async () => {
    const res = await app().request('/api/metrics', auth);
    expect(await res.json()).toMatchObject({ overall: { routed: 4, aiResolutionRate: 0.5 } });
  });

  it('reports the overall figures of the last 30 UTC days by default, and of the days asked for', async () => {
    expect(await (await app().request('/api/metrics', auth)).json()).toMatchObject({
      from: '2025-05-11',
      to: '2025-06-09',
    });
    const res = await app().request('/api/metrics?from=2025-01-01&to=2025-01-31', auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ overall: { routed: 4 }, from: '2025-01-01', to: '2025-01-31' });
  });

  it.each([
    ['a day that is not one', '?from=2025-02-30'],
    ['a time instead of a day', '?from=2025-01-01T00:00:00Z'],
    ['a range that runs backwards', '?from=2025-02-01&to=2025-01-31'],
    ['a range over 366 days', '?from=2024-01-01&to=2025-01-31'],
  ])('refuses %s with 400', async (_name, query) => {
    const res = await app().request(`/api/metrics${query}`, auth);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  // QA: a time instead of a day said "Invalid ISO date", not what the parameter takes.
  it('says a day is expected as yyyy-mm-dd when given a time', async () => {
    const res = await app().request('/api/metrics?from=2025-01-01T00:00:00Z', auth);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('from: expected a UTC day, yyyy-mm-dd (no time)');
  });

  /**
   * Least privilege: every agent's SLA and CSAT figures are an admin's to read; an agent sees their
   * own line of each `byAgent` (QA: agents saw every colleague's figures).
   */
  it("shows an agent their own figures by agent, and an admin everyone's", async () => {
    const store = fakeStore();
    const targets = (met: number) => ({
      firstResponse: { met, missed: 1, share: met / (met + 1), resolvedUnanswered: 0 },
      nextResponse: { met: 0, missed: 0, share: null, resolvedUnanswered: 0 },
      resolution: { met: 0, missed: 0, share: null },
    });
    const scores = (count: number) => ({
      count,
      average: 4,
      distribution: { 1: 0, 2: 0, 3: 0, 4: count, 5: 0 },
    });
    store.overallMetrics = async () => ({
      routed: 4,
      aiResolutionRate: 0.5,
      handoffReasons: {},
      firstResponseMs: { median: null, mean: null, conversations: 0 },
      firstHumanResponseMs: { median: null, mean: null, conversations: 0 },
      channelSwitchRate: null,
      sla: {
        ...targets(3),
        byQueue: { general: targets(3) },
        byChannel: { sms: targets(3) },
        byAgent: { 'agent-7': targets(1), 'agent-8': targets(2) },
        byAi: { human: targets(3) },
      },
      csat: {
        ...scores(3),
        byAgent: { 'agent-7': scores(1), 'agent-8': scores(2) },
        byChannel: { sms: scores(3) },
        byQueue: { general: scores(3) },
        byAi: { human: scores(3) },
      },
    });
    type Answer = { overall: Metrics };
    const asAgent = (await (await app(store).request('/api/metrics', auth)).json()) as Answer;
    expect(asAgent.overall.sla?.byAgent).toEqual({ 'agent-7': targets(1) });
    expect(asAgent.overall.csat?.byAgent).toEqual({ 'agent-7': scores(1) });
    // The rest is everyone's, as before.
    expect(asAgent.overall.sla).toMatchObject({ ...targets(3), byQueue: { general: targets(3) } });
    expect(asAgent.overall.csat).toMatchObject({ count: 3, byChannel: { sms: scores(3) } });
    const asAdminToo = (await (await app(store).request('/api/metrics', asAdmin)).json()) as Answer;
    expect(Object.keys(asAdminToo.overall.sla?.byAgent ?? {})).toEqual(['agent-7', 'agent-8']);
    expect(Object.keys(asAdminToo.overall.csat?.byAgent ?? {})).toEqual(['agent-7', 'agent-8']);
  });

  it('reports one customer from their timeline', async () => {
    const res = await app().request('/api/metrics?customerId=cu_1', auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ customerId: 'cu_1', metrics: { routed: 0 } });
  });
});

describe('agent API: waiting conversations', () => {
  it('gives an agent who comes online the conversations waiting longest in their queues, up to their room', async () => {
    const store = fakeStore();
    store.inbox = async (filter, page) => {
      store.inboxCalls.push({ filter, page });
      return {
        items: [
          { ...conversation, id: 'cv_new', queue: 'billing', waitingSince: '2025-06-09T09:00:00.000Z' },
          { ...conversation, id: 'cv_old', queue: 'billing', waitingSince: '2025-06-09T08:00:00.000Z' },
          { ...conversation, id: 'cv_other', queue: 'legal', waitingSince: '2025-06-09T07:00:00.000Z' },
        ],
        cursor: null,
      };
    };
    const admin = fakeAdmin();
    const res = await app(store, admin).request('/api/agents/me', {
      method: 'PUT',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ presence: 'online', queues: ['billing'], capacity: 3 }),
    });
    expect(res.status).toBe(200);
    expect(store.inboxCalls).toEqual([
      { filter: { status: 'open', assignee: 'unassigned', queues: ['billing'] }, page: { limit: 8 } },
    ]);
    expect(admin.calls.filter((c) => c[0] === 'assign').map((c) => [c[1], c[2]])).toEqual([
      ['cv_old', { agentId: 'agent-7' }],
      ['cv_new', { agentId: 'agent-7' }],
    ]);
  });
});

describe('agent API: the admin role and the audit log', () => {
  const ADMIN_CALLS: Array<[string, string, unknown?]> = [
    ['GET', '/api/customers/cu_1/export'],
    ['DELETE', '/api/customers/cu_1'],
    ['POST', '/api/customers/cu_1/merge', { customerId: 'cu_2' }],
    ['POST', '/api/customers/cu_1/unmerge', { customerId: 'cu_2' }],
    ['POST', '/api/customers/cu_1/suggestions/cu_2/accept'],
    ['GET', '/api/exports/ex_0123456789abcdef_cu_1'],
    ['DELETE', '/api/agents/agent-9'],
    ['POST', '/api/agents/agent-9/restore'],
    ['GET', '/api/audit'],
    ['GET', '/api/policy'],
  ];
  const send = (
    api: ReturnType<typeof app>,
    who: typeof auth,
    [method, path, body]: (typeof ADMIN_CALLS)[0],
  ) =>
    api.request(path, {
      method,
      headers: { ...who.headers, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it.each(ADMIN_CALLS)(
    'answers 403 forbidden to an agent who is not an admin, audited: %s %s',
    async (...call) => {
      const admin = fakeAdmin();
      const audit = memoryAuditLog();
      const res = await send(app(fakeStore(), admin, fakeReplies(), audit), auth, call);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: { code: 'forbidden', message: 'only admins may make this call' },
      });
      expect(admin.calls).toEqual([]);
      // The attempt at an audited call is recorded (outcome `forbidden`); reading the audit log or the policy is none.
      const action = [
        'export',
        'erase',
        'merge',
        'unmerge',
        'merge',
        'export_download',
        'agent_remove',
        'agent_restore',
      ][ADMIN_CALLS.findIndex((c) => c[1] === call[1])];
      expect(audit.records.map((r) => [r.agentId, r.action, r.outcome])).toEqual(
        action ? [['agent-7', action, 'forbidden']] : [],
      );
    },
  );

  it('lets an admin remove an agent: no longer listed nor assignable, twice the same, audited', async () => {
    const store = fakeStore();
    const audit = memoryAuditLog();
    const api = app(store, fakeAdmin(), fakeReplies(), audit);
    await store.putAgent({
      id: 'agent-9',
      presence: 'online',
      queues: ['general'],
      languages: ['en'],
      capacity: 5,
      updatedAt: '2025-06-09T09:00:00.000Z',
    });
    for (let i = 0; i < 2; i++) {
      const res = await api.request('/api/agents/agent-9', { method: 'DELETE', ...asAdmin });
      expect(res.status).toBe(204);
    }
    const listed = (await (await api.request('/api/agents', auth)).json()) as { items: { id: string }[] };
    expect(listed.items.map((a) => a.id)).not.toContain('agent-9');
    const assign = await api.request('/api/conversations/cv_1/assign', {
      method: 'POST',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: 'agent-9' }),
    });
    expect(assign.status).toBe(422);
    expect(((await assign.json()) as { error: { code: string } }).error.code).toBe('unknown_agent');
    const at = '2025-06-09T10:00:00.000Z';
    const record = { agentId: 'admin-1', action: 'agent_remove', customerIds: [], subjectAgentId: 'agent-9' };
    expect(audit.records.map(({ id: _id, ...r }) => r)).toEqual([
      { ...record, at, outcome: 'ok' },
      { ...record, at, outcome: 'ok' },
    ]);
  });

  it('refuses an admin removing themselves, by `me` or by id (409 cannot_remove_self), audited', async () => {
    const store = fakeStore();
    const audit = memoryAuditLog();
    await store.putAgent({
      id: 'admin-1',
      presence: 'away',
      queues: [],
      languages: [],
      capacity: 5,
      updatedAt: '2025-06-09T09:00:00.000Z',
    });
    const api = app(store, fakeAdmin(), fakeReplies(), audit);
    for (const path of ['/api/agents/me', '/api/agents/admin-1']) {
      const res = await api.request(path, { method: 'DELETE', ...asAdmin });
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
        409,
        'cannot_remove_self',
      ]);
    }
    expect(await store.getAgent('admin-1')).toBeDefined();
    expect(await store.isAgentRemoved('admin-1')).toBe(false);
    expect(audit.records.map((r) => [r.action, r.subjectAgentId, r.outcome])).toEqual([
      ['agent_remove', 'admin-1', 'cannot_remove_self'],
      ['agent_remove', 'admin-1', 'cannot_remove_self'],
    ]);
  });

  it('refuses an agent an admin removed (403 agent_removed) until an admin restores them, one look each', async () => {
    const store = fakeStore();
    const api = app(store);
    const code = async (res: Response) => [
      res.status,
      ((await res.json()) as { error?: { code: string } }).error?.code,
    ];
    for (let i = 0; i < 2; i++) expect((await api.request('/api/agents', auth)).status).toBe(200);
    expect(store.removalLooks).toEqual(['agent-7']);

    expect((await api.request('/api/agents/agent-7', { method: 'DELETE', ...asAdmin })).status).toBe(204);
    // The container that removed her does not wait out its last look: her next request is refused.
    expect(await code(await api.request('/api/agents', auth))).toEqual([403, 'agent_removed']);
    expect(await code(await api.request('/api/me', auth))).toEqual([403, 'agent_removed']);
    const register = {
      method: 'PUT',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: '{}',
    };
    expect(await code(await api.request('/api/agents/me', register))).toEqual([403, 'agent_removed']);

    expect((await api.request('/api/agents/agent-7/restore', { method: 'POST', ...asAdmin })).status).toBe(
      204,
    );
    expect((await api.request('/api/agents/me', register)).status).toBe(200);
    // The gate's looks, and her first registration's own look after it is written (a removal racing it).
    expect(store.removalLooks).toEqual(['agent-7', 'admin-1', 'agent-7', 'agent-7', 'agent-7']);
  });

  it('lets an admin export, erase, merge and unmerge, and audits each call', async () => {
    const audit = memoryAuditLog();
    const api = app(fakeStore(), fakeAdmin(), fakeReplies(), audit);
    for (const call of ADMIN_CALLS.slice(0, 4)) expect((await send(api, asAdmin, call)).status).toBe(200);
    const at = '2025-06-09T10:00:00.000Z';
    expect(audit.records.map(({ id: _id, ...record }) => record)).toEqual([
      { agentId: 'admin-1', action: 'export', customerIds: ['cu_1'], at, outcome: 'ok' },
      { agentId: 'admin-1', action: 'erase', customerIds: ['cu_1'], at, outcome: 'ok' },
      { agentId: 'admin-1', action: 'merge', customerIds: ['cu_1', 'cu_2'], at, outcome: 'ok' },
      { agentId: 'admin-1', action: 'unmerge', customerIds: ['cu_1', 'cu_2'], at, outcome: 'ok' },
    ]);
  });

  it('answers 202 for a call that erased part of a heavy customer, audited as in progress', async () => {
    const admin = fakeAdmin();
    const erase = admin.erase;
    admin.erase = async (...args) => ({ ...(await erase(...args)), complete: false });
    const audit = memoryAuditLog();
    const res = await send(
      app(fakeStore(), admin, fakeReplies(), audit),
      asAdmin,
      ADMIN_CALLS[1] as (typeof ADMIN_CALLS)[0],
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ customerId: 'cu_1', complete: false });
    expect(audit.records.map((r) => r.outcome)).toEqual(['in_progress']);
  });

  it('answers 202 for a call that unmerged part of a heavy target, audited as in progress', async () => {
    const admin = fakeAdmin();
    admin.unmerge = async () => ({ complete: false, moved: 3 });
    const audit = memoryAuditLog();
    const res = await send(
      app(fakeStore(), admin, fakeReplies(), audit),
      asAdmin,
      ADMIN_CALLS[3] as (typeof ADMIN_CALLS)[0],
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: 'cu_1', complete: false });
    expect(audit.records.map((r) => [r.action, r.outcome])).toEqual([['unmerge', 'in_progress']]);
  });

  it('audits a merge by accepting a suggestion, and a call that failed with its error code', async () => {
    const store = fakeStore();
    store.suggestions = async () => [
      { customerId: 'cu_1', otherId: 'cu_2', status: 'open', createdAt: 'x', evidence: [] },
    ];
    const admin = fakeAdmin();
    admin.unmerge = async () => {
      throw new ConflictError('not merged', 'not_merged');
    };
    const audit = memoryAuditLog();
    const api = app(store, admin, fakeReplies(), audit);
    expect((await send(api, asAdmin, ADMIN_CALLS[4] as (typeof ADMIN_CALLS)[0])).status).toBe(200);
    expect((await send(api, asAdmin, ADMIN_CALLS[3] as (typeof ADMIN_CALLS)[0])).status).toBe(409);
    expect(audit.records.map((r) => [r.action, r.customerIds, r.outcome])).toEqual([
      ['merge', ['cu_1', 'cu_2'], 'ok'],
      ['unmerge', ['cu_1', 'cu_2'], 'not_merged'],
    ]);
  });

  it('lists the audit log for admins, newest first, a page at a time', async () => {
    const audit = memoryAuditLog();
    const api = app(fakeStore(), fakeAdmin(), fakeReplies(), audit);
    for (const call of ADMIN_CALLS.slice(0, 3)) await send(api, asAdmin, call);
    const first = await api.request('/api/audit?limit=2', asAdmin);
    expect(first.status).toBe(200);
    const page = (await first.json()) as { items: Array<{ action: string }>; cursor: string | null };
    expect(page.items.map((r) => r.action)).toEqual(['merge', 'erase']);
    const next = await api.request(`/api/audit?limit=2&cursor=${page.cursor}`, asAdmin);
    expect(await next.json()).toMatchObject({ items: [{ action: 'export' }], cursor: null });
    expect((await api.request('/api/audit?limit=500', asAdmin)).status).toBe(400);
  });
});

describe('agent API: unknown body keys', () => {
  /** Each route with a JSON body, a body with one misspelt or unexpected key, and that key. */
  const TYPOS = [
    ['POST', '/api/webhooks', { url: 'https://example.com/h', evnts: ['message.received'] }, 'evnts'],
    [
      'POST',
      '/api/webhooks',
      { url: 'https://example.com/h', events: ['csat.received'], secret: 'x' },
      'secret',
    ],
    ['POST', '/api/conversations/cv_1/notes', { text: 'VIP', pinned: true }, 'pinned'],
    ['POST', '/api/conversations/cv_1/snooze', { untill: '2025-06-10T09:00:00Z' }, 'untill'],
    ['POST', '/api/conversations/cv_1/assign', { queue: 'billing', agent: 'bob' }, 'agent'],
    ['POST', '/api/conversations/cv_1/wake', { until: '2025-06-10T09:00:00Z' }, 'until'],
    ['PATCH', '/api/customers/cu_1/tags', { ad: ['vip'] }, 'ad'],
    ['PUT', '/api/customers/cu_1/tags', { tags: ['vip'], mode: 'add' }, 'mode'],
    ['POST', '/api/customers/cu_1/merge', { customerId: 'cu_2', dryRun: true }, 'dryRun'],
    ['POST', '/api/customers/cu_1/unmerge', { customerId: 'cu_2', dryRun: true }, 'dryRun'],
    ['POST', '/api/automations/dry-run', { conversationId: 'cv_1', rules: ['x'] }, 'rules'],
  ] as const;

  it.each(TYPOS)(
    '%s %s answers 400 naming the unknown key, and changes nothing',
    async (method, path, body, key) => {
      const admin = fakeAdmin();
      const api = app(fakeStore(), admin, undefined, undefined, {
        webhooks: {} as never,
        conversationClock: {} as never,
      });
      const res = await api.request(path, {
        method,
        headers: { ...asAdmin.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('invalid_request');
      expect(error.message).toContain(`Unrecognized key: "${key}"`);
      expect(admin.calls).toEqual([]);
    },
  );
});

/**
 * Agent API answers carry customers' personal data (a profile, a timeline, an export): no cache may
 * keep them (`Cache-Control: no-store`), and no browser may sniff a JSON answer into something else
 * (`X-Content-Type-Options: nosniff`). QA found neither header on any of them, the export included.
 */
describe('agent API: the headers of its answers', () => {
  it.each([
    ['a profile', 'GET', '/api/customers/cu_1', auth, 200],
    ['the export', 'GET', '/api/customers/cu_1/export', asAdmin, 200],
    ['a refusal without a token', 'GET', '/api/customers/cu_1', {}, 401],
    ['an unknown path', 'GET', '/api/nothing-here', auth, 404],
  ])('sends no-store and nosniff on %s', async (_, method, path, who, status) => {
    const res = await app().request(path, { method, ...who });
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
