import { readFileSync } from 'node:fs';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it, vi } from 'vitest';
import { type RouterDeps, routeMessage } from '#shared/app/route-message.js';
import { OPTED_OUT_NOTE } from '#shared/app/unreachable-customer.js';
import type { Agent } from '#shared/domain/assignment.js';
import type { Channel } from '#shared/domain/envelope.js';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import { replyItem } from '#shared/domain/replies.js';
import type { Responder } from '#shared/domain/responder.js';
import type { ConversationState } from '#shared/domain/routing/conversation-state.js';
import { unfoldDecision } from '#shared/domain/routing/facts.js';
import { parseRoutingPolicy, type RoutingPolicy } from '#shared/domain/routing/policy.js';
import { RetryableSendError } from '#shared/domain/send-errors.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { UnavailableError } from '#shared/errors.js';
import { createBedrockResponder } from '#shared/responder/bedrock-responder.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { createKnowledgeBaseResponder } from '#shared/responder/knowledge-base-responder.js';

const policy = parseRoutingPolicy(
  readFileSync(new URL('../../../../shared/domain/routing/default-policy.json', import.meta.url), 'utf8'),
);
/** A Tuesday, 11:00 in New York: within the default policy's business hours. */
const NOW = '2025-06-10T15:00:00.000Z';
const MESSAGE_AT = '2025-06-10T14:59:00.000Z';

const ana: Agent = {
  id: 'ana',
  queues: ['general'],
  languages: ['en'],
  capacity: 5,
  presence: 'online',
  openConversations: 0,
  /** Her console is open (a live socket renews this). */
  connectedUntil: '2025-06-10T15:10:00.000Z',
};
const bob: Agent = { ...ana, id: 'bob', capacity: 10 };

interface World {
  deps: RouterDeps;
  items: Map<string, TimelineItem>;
  customer: Customer;
  conversation: Conversation;
  outbound: OutboundMessage[];
  responderCalls: number;
}

function world(
  options: {
    responder?: Responder;
    customer?: Partial<Customer>;
    conversation?: Partial<Conversation>;
    state?: Partial<ConversationState>;
    agents?: Agent[];
    policy?: RoutingPolicy;
  } = {},
): World {
  const items = new Map<string, TimelineItem>();
  let routedFor: string | undefined;
  const customer: Customer = {
    id: 'cu_1',
    name: 'Maria Lopez',
    identities: [
      { kind: 'phone', value: '+447700900123' },
      { kind: 'email', value: 'maria@example.com' },
    ],
    channels: ['whatsapp'],
    createdAt: '2025-06-01T10:00:00.000Z',
    lastInboundChannel: 'whatsapp',
    lastInboundByChannel: { whatsapp: MESSAGE_AT },
    tags: [],
    openConversationId: 'cv_1',
    mergedFrom: [],
    ...options.customer,
  };
  const conversation: Conversation = {
    id: 'cv_1',
    customerId: 'cu_1',
    status: 'open',
    createdAt: MESSAGE_AT,
    channels: ['whatsapp'],
    channelSwitch: false,
    ...options.conversation,
  };
  // A complete state: the conversation was written with it from the start.
  const state: ConversationState = {
    stateFrom: MESSAGE_AT,
    createdAt: MESSAGE_AT,
    inboundSince: {},
    ...options.state,
  };
  const replies = new Map<string, OutboundMessage>();
  const outbound: OutboundMessage[] = [];
  const put = async (item: TimelineItem) => {
    const key = `${item.customerId}|${item.at}|${item.id}`;
    if (items.has(key)) return false;
    items.set(key, item);
    return true;
  };
  const clock = { now: () => new Date(NOW) };
  const kb = options.responder ?? createKnowledgeBaseResponder({ folder: SAMPLE_KNOWLEDGE_BASE });
  const w: World = { items, customer, conversation, outbound, responderCalls: 0 } as World;
  const responder: Responder = {
    respond: async (context) => {
      w.responderCalls++;
      return kb.respond(context);
    },
  };
  w.deps = {
    policy: options.policy ?? policy,
    clock,
    responder,
    store: {
      getTimelineItem: async (customerId, at, id) => items.get(`${customerId}|${at}|${id}`),
      putTimelineItem: put,
      getConversationState: async (id) =>
        id === conversation.id
          ? { conversation, state: { ...state, inboundSince: { ...state.inboundSince } } }
          : undefined,
      // As the store's: only while the escalation is the one routing read, or this item's already.
      markEscalated: async (_id, escalation) => {
        const now = state.escalatedItemId;
        if (now !== escalation.seen && now !== escalation.itemId) return false;
        state.escalatedAt ??= escalation.at;
        state.escalatedItemId = escalation.itemId;
        state.escalatedQueue = escalation.queue;
        return true;
      },
      mergedCustomers: async (id) => ({ partitions: [id], customers: id === customer.id ? [customer] : [] }),
      recentTimeline: async (partitions, limit) =>
        [...items.values()]
          .filter((i) => partitions.includes(i.customerId))
          .sort((a, b) => (`${a.at}${a.id}` < `${b.at}${b.id}` ? -1 : 1))
          .slice(-limit),
      listAgents: async () => options.agents ?? [ana, bob],
      claimAgentSlot: async () => ({ claimed: true }),
    },
    admin: {
      addNote: async (conversationId, text, authorId, now, noteId, authorKind = 'agent') => {
        await put({
          id: `note:${noteId}`,
          type: 'note',
          at: now,
          customerId: customer.id,
          conversationId,
          text,
          data: { author: { kind: authorKind, id: authorId } },
        });
      },
      assign: async (conversationId, target, by, now, eventId) => {
        if (target.agentId !== undefined) conversation.assignee = target.agentId;
        if (target.queue !== undefined) conversation.queue = target.queue;
        await put({
          id: eventId ?? `assigned:${conversationId}:${now}`,
          type: 'event',
          event: 'assigned',
          at: now,
          customerId: customer.id,
          data: { conversationId, to: target, by },
        });
      },
      // As the store's: once per routed item, never over a later item's.
      assignRouted: async (conversationId, target, change) => {
        if (routedFor !== undefined && routedFor >= change.routed) {
          return routedFor === change.routed ? { agentId: conversation.assignee } : undefined;
        }
        routedFor = change.routed;
        await w.deps.admin.assign(conversationId, target, change.by, change.now, change.eventId);
        return { agentId: conversation.assignee };
      },
    },
    replies: {
      clock,
      newId: () => `rp_${replies.size + 1}`,
      queue: {
        enqueue: async (message) => {
          outbound.push(message);
        },
      },
      store: {
        getConversation: async (id) => (id === conversation.id ? conversation : undefined),
        mergedCustomers: async (id) => ({
          partitions: [id],
          customers: id === customer.id ? [customer] : [],
        }),
        getContactState: async () => undefined,
        lastInbound: async () => undefined,
        setLastAgent: async () => {},
        putReply: async (message) => {
          const existing = replies.get(message.id);
          if (existing) return { message: existing, created: false };
          replies.set(message.id, message);
          return { message, created: true };
        },
        putTimelineItem: put,
        hasReply: async (id) => replies.has(id),
        placeReply: async (message, routed) => {
          const item = replyItem(message);
          const key = `${item.customerId}|${item.at}|${item.id}`;
          const first = items.get(key);
          if (first)
            return {
              message: { ...message, at: first.statusAt ?? message.at, text: first.text },
              created: false,
            };
          items.set(key, { ...item, statusAt: message.at, data: { ...item.data, routed } });
          return { message, created: true };
        },
      },
    },
  };
  return w;
}

/** Writes an inbound message as the resolver would, and routes it. */
async function inbound(w: World, text: string, options: { id?: string; channel?: Channel } = {}) {
  const item: TimelineItem = {
    id: options.id ?? 'whatsapp:wamid.1',
    type: 'message',
    direction: 'inbound',
    channel: options.channel ?? 'whatsapp',
    at: MESSAGE_AT,
    customerId: 'cu_1',
    conversationId: 'cv_1',
    contentType: 'text',
    text,
  };
  await w.deps.store.putTimelineItem(item, undefined);
  return routeMessage(w.deps, { customerId: 'cu_1', conversationId: 'cv_1', item });
}

const ofType = (w: World, predicate: (item: TimelineItem) => boolean) =>
  [...w.items.values()].filter(predicate);
/** The decisions as readers see them: an AI reply carries its own (`unfoldDecision`). */
const decisions = (w: World) =>
  [...w.items.values()].flatMap((i) => unfoldDecision(i, i.at)).filter((i) => i.event === 'routed');
const notes = (w: World) => ofType(w, (i) => i.type === 'note');

/** A customer's inbound WhatsApp question, as the resolver wrote it. */
const shippingQuestion = (id: string): TimelineItem => ({
  id,
  type: 'message',
  direction: 'inbound',
  channel: 'whatsapp',
  at: MESSAGE_AT,
  customerId: 'cu_1',
  conversationId: 'cv_1',
  text: 'How long does shipping take?',
});

/** The customer, last written to on `channel`, with an address there. */
const reachedOn = (channel: Channel): Partial<Customer> => ({
  identities: [
    { kind: 'phone', value: '+447700900123' },
    { kind: 'messenger', value: 'psid-1' },
    { kind: 'instagram', value: 'igsid-1' },
  ],
  channels: [channel],
  lastInboundChannel: channel,
  lastInboundByChannel: { [channel]: MESSAGE_AT },
});

describe('routeMessage', () => {
  it('lets the AI answer a routine question, through the outbound path, as author ai', async () => {
    const w = world();
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome).toMatchObject({
      routed: true,
      replied: true,
      decision: { target: 'ai', reason: 'routine' },
    });
    expect(w.outbound).toHaveLength(1);
    expect(w.outbound[0]).toMatchObject({
      channel: 'whatsapp',
      conversationId: 'cv_1',
      author: { kind: 'ai', id: 'responder' },
    });
    expect(w.outbound[0]?.text).toContain('Standard shipping takes 2–4 working days');
    expect(decisions(w)).toEqual([
      expect.objectContaining({
        id: 'route:whatsapp:wamid.1',
        conversationId: 'cv_1',
        data: expect.objectContaining({ target: 'ai', queue: 'general', reason: 'routine' }),
      }),
    ]);
    expect(notes(w)).toEqual([]);
    expect(w.conversation.assignee).toBeUndefined();
  });

  it('hands an angry customer to a person, with a summary note and an agent', async () => {
    const w = world();
    const outcome = await inbound(
      w,
      'This is terrible. Your awful service is a disaster, I am furious and disgusted. Horrible!',
    );
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'negative_sentiment' });
    expect(w.outbound).toEqual([]);
    expect(notes(w)).toEqual([
      expect.objectContaining({
        id: 'note:handoff:whatsapp:wamid.1',
        data: { author: { kind: 'ai', id: 'responder' } },
        text: expect.stringContaining('Maria Lopez'),
      }),
    ]);
    // Nobody helped Maria before: the least-loaded agent with the most room.
    expect(w.conversation.assignee).toBe('bob');
  });

  it('hands a request for a person to the agent who helped last, without asking the AI', async () => {
    const w = world({ customer: { lastAgentId: 'ana', lastAgentAt: '2025-06-05T10:00:00.000Z' } });
    const outcome = await inbound(w, 'I want to speak to a person', { id: 'email:m1', channel: 'email' });
    expect(outcome).toMatchObject({
      assignedTo: 'ana',
      decision: { target: 'human', reason: 'asked_for_person', queue: 'general' },
    });
    expect(w.responderCalls).toBe(0);
    expect(w.conversation).toMatchObject({ assignee: 'ana', queue: 'general' });
    const [note] = notes(w);
    expect(note?.text).toMatch(/^Hand-off \(asked_for_person\)/);
    expect(note?.text).toContain('"I want to speak to a person"');
    expect(decisions(w)[0]?.data).toMatchObject({ target: 'human', assignedTo: 'ana' });
  });

  it('leaves the conversation waiting in its queue when no agent can take it', async () => {
    const w = world({ agents: [{ ...ana, presence: 'away' }] });
    const outcome = await inbound(w, 'I want to speak to a person');
    expect(outcome.assignedTo).toBeUndefined();
    expect(w.conversation).toMatchObject({ queue: 'general' });
    expect(w.conversation.assignee).toBeUndefined();
  });

  it('leaves the conversation waiting when the only online agent has no console open', async () => {
    const w = world({ agents: [{ ...ana, connectedUntil: '2025-06-10T14:58:00.000Z' }] });
    const outcome = await inbound(w, 'I want to speak to a person');
    expect(outcome.assignedTo).toBeUndefined();
    expect(w.conversation.assignee).toBeUndefined();
    expect(decisions(w)[0]?.data).toMatchObject({ target: 'human' });
    expect(decisions(w)[0]?.data).not.toHaveProperty('assignedTo');
  });

  it('keeps the AI silent once a human has taken the conversation', async () => {
    const w = world({ conversation: { assignee: 'ana', queue: 'general' } });
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'human_took_over' });
    expect(w.responderCalls).toBe(0);
    expect(w.outbound).toEqual([]);
    expect(notes(w)).toEqual([]);
    expect(decisions(w)).toHaveLength(1);
  });

  it('keeps the AI silent once an agent has replied in the conversation', async () => {
    const w = world();
    await w.deps.store.putTimelineItem(
      {
        id: 'reply:rp_0',
        type: 'message',
        direction: 'outbound',
        channel: 'whatsapp',
        at: '2025-06-10T14:00:00.000Z',
        customerId: 'cu_1',
        conversationId: 'cv_1',
        text: 'Hello from Ana',
        data: { author: { kind: 'agent', id: 'ana' } },
      },
      undefined,
    );
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'human_took_over' });
    expect(w.outbound).toEqual([]);
  });

  it('sends nothing when an agent takes the conversation while the AI is answering, and records it as theirs', async () => {
    const kb = createKnowledgeBaseResponder({ folder: SAMPLE_KNOWLEDGE_BASE });
    // The agent takes it during the Bedrock call: after the routing decision, before the placement.
    const w: World = world({
      responder: {
        respond: async (context) => {
          w.conversation.assignee = 'ana';
          return kb.respond(context);
        },
      },
    });
    const reads: Array<{ consistent?: boolean } | undefined> = [];
    const read = w.deps.store.getConversationState;
    w.deps.store.getConversationState = (id, options) => {
      reads.push(options);
      return read(id, options);
    };
    const item = shippingQuestion('whatsapp:wamid.taken');
    await w.deps.store.putTimelineItem(item, undefined);
    const given = { customerId: 'cu_1', conversationId: 'cv_1', item };
    const outcome = await routeMessage(w.deps, given);
    expect(outcome).toEqual({
      routed: true,
      decision: expect.objectContaining({ target: 'human', reason: 'human_took_over', queue: 'general' }),
    });
    expect(outcome.decision?.detail).toBe(
      "agent ana took this conversation while the AI was answering; the AI's answer was not sent",
    );
    // The check is one strongly consistent read of the conversation, after the AI has answered.
    expect(reads).toEqual([undefined, { consistent: true }]);
    expect(w.responderCalls).toBe(1);
    expect(w.outbound).toEqual([]);
    expect(ofType(w, (i) => i.id.startsWith('reply:'))).toEqual([]);
    expect(notes(w)).toEqual([]);
    expect(decisions(w).map((d) => d.data?.reason)).toEqual(['human_took_over']);
    // Delivered again: the decision is recorded, nothing is sent and the AI is not asked again.
    expect(await routeMessage(w.deps, given)).toEqual({ routed: false });
    expect(w.responderCalls).toBe(1);
    expect(w.outbound).toEqual([]);
    expect(decisions(w)).toHaveLength(1);
  });

  it('sends nothing when an agent replies in the conversation while the AI is answering', async () => {
    const kb = createKnowledgeBaseResponder({ folder: SAMPLE_KNOWLEDGE_BASE });
    let replied = false;
    const w = world({
      responder: {
        respond: async (context) => {
          replied = true;
          return kb.respond(context);
        },
      },
    });
    const read = w.deps.store.getConversationState;
    w.deps.store.getConversationState = async (id, options) => {
      const snapshot = await read(id, options);
      return snapshot && replied
        ? { ...snapshot, state: { ...snapshot.state, humanRepliedAt: NOW } }
        : snapshot;
    };
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'human_took_over' });
    expect(outcome.decision?.detail).toMatch(
      /^an agent replied in this conversation while the AI was answering/,
    );
    expect(outcome.replied).toBeUndefined();
    expect(w.outbound).toEqual([]);
    expect(decisions(w)).toHaveLength(1);
  });

  /** A world whose conversation, read strongly once the AI has answered, is `changed` by then. */
  function changedWhileAnswering(
    changed: (snapshot: { conversation: Conversation; state: ConversationState }) => {
      conversation: Conversation;
      state: ConversationState;
    },
    options: Parameters<typeof world>[0] = {},
  ) {
    const w = world(options);
    const read = w.deps.store.getConversationState;
    w.deps.store.getConversationState = async (id, how) => {
      const snapshot = await read(id, how);
      return snapshot && how?.consistent ? changed(snapshot) : snapshot;
    };
    return w;
  }

  it('sends nothing when another message hands the conversation to a queue while the AI is answering', async () => {
    // Two messages at once: the other one's hand-off (to billing, nobody free) lands during this one's AI call.
    const w = changedWhileAnswering(
      ({ conversation, state }) => ({
        conversation: { ...conversation, queue: 'billing' },
        state: { ...state, escalatedAt: NOW, escalatedItemId: 'whatsapp:wamid.refund' },
      }),
      { agents: [] },
    );
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'awaiting_human', queue: 'billing' });
    expect(outcome.decision?.detail).toBe(
      "another message handed this conversation to a person in billing while the AI was answering; the AI's answer was not sent",
    );
    expect(outcome.replied).toBeUndefined();
    expect(w.outbound).toEqual([]);
    // Waiting already: no second hand-off note, no assignment.
    expect(notes(w)).toEqual([]);
    expect(decisions(w).map((d) => [d.data?.reason, d.data?.queue])).toEqual([['awaiting_human', 'billing']]);
  });

  it('hands off anew, not into a queue the policy no longer has, when an agent replied and let go while the AI was answering', async () => {
    const w = changedWhileAnswering(
      ({ conversation, state }) => ({ conversation, state: { ...state, humanRepliedAt: NOW } }),
      {
        conversation: { queue: 'returns' },
        agents: [],
      },
    );
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'queue_removed', queue: 'general' });
    expect(outcome.decision?.detail).toMatch(/^its queue "returns" is not in the routing policy any more/);
    expect(w.conversation.queue).toBe('general');
    expect(decisions(w).map((d) => [d.data?.reason, d.data?.queue])).toEqual([['queue_removed', 'general']]);
  });

  it('records one decision and sends one reply however often the message is delivered', async () => {
    const w = world();
    await inbound(w, 'How long does shipping take?');
    // The sender has sent it: its item says so.
    for (const item of w.items.values())
      if (item.id.startsWith('reply:')) item.providerMessageId = 'wamid.out';
    const again = await inbound(w, 'How long does shipping take?');
    expect(again.routed).toBe(false);
    expect(decisions(w)).toHaveLength(1);
    expect(w.outbound).toHaveLength(1);
    expect(w.responderCalls).toBe(1);
  });

  it('places the AI reply right after the message with the decision on it, and writes no routed item', async () => {
    const w = world();
    await inbound(w, 'How long does shipping take?');
    const keys = [...w.items.keys()].sort();
    // Named after the message it answers: replies to messages of one millisecond sort as they do.
    expect(keys).toEqual([
      'cu_1|2025-06-10T14:59:00.000Z|whatsapp:wamid.1',
      'cu_1|2025-06-10T14:59:00.001Z|reply:ai:whatsapp:wamid.1',
    ]);
    const reply = [...w.items.values()].find((i) => i.type === 'message' && i.direction === 'outbound');
    expect(reply?.statusAt).toBe(NOW);
    // The item decided on is in the reply's id: not kept twice.
    expect(reply?.data?.routed).toEqual({
      reason: 'routine',
      queue: 'general',
      detail: expect.stringMatching(/^the AI answers/),
    });
    expect(decisions(w)[0]).toMatchObject({ id: 'route:whatsapp:wamid.1', at: MESSAGE_AT });
    expect(w.outbound[0]).toMatchObject({ at: NOW, placedAt: '2025-06-10T14:59:00.001Z' });
  });

  it('queues the AI reply a crash left unqueued once the message comes again, without asking the AI again', async () => {
    const w = world();
    const counted: unknown[] = [];
    // Counted right after the reply's write, as the routed item was right after its own.
    w.deps.store.countDecision = async (decision) => void counted.push(decision);
    const enqueue = w.deps.replies.queue.enqueue;
    w.deps.replies.queue.enqueue = async () => {
      throw new Error('crash between the reply and the queue');
    };
    await expect(inbound(w, 'How long does shipping take?')).rejects.toThrow('crash');
    expect(w.outbound).toEqual([]);
    w.deps.replies.queue.enqueue = enqueue;
    const again = await inbound(w, 'How long does shipping take?');
    expect(again).toMatchObject({
      routed: false,
      replied: true,
      decision: { target: 'ai', reason: 'routine' },
    });
    expect(w.outbound).toHaveLength(1);
    expect(w.outbound[0]?.text).toMatch(/standard shipping/i);
    expect(w.responderCalls).toBe(1);
    expect(decisions(w)).toHaveLength(1);
    expect(notes(w)).toEqual([]);
    expect(counted).toEqual([
      expect.objectContaining({ target: 'ai', answeredByAi: true, itemId: 'whatsapp:wamid.1' }),
    ]);
  });

  it('hands off when the channel rules refuse the AI reply', async () => {
    // WhatsApp's window is closed: the AI may not write free text, so a person takes it.
    const w = world({
      customer: { lastInboundByChannel: { whatsapp: '2025-06-01T10:00:00.000Z' } },
    });
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
    expect(outcome.decision?.detail).toContain('whatsapp_window_closed');
    expect(w.outbound).toEqual([]);
    expect(notes(w)).toHaveLength(1);
  });

  it('keeps a question no channel can answer (the customer texted STOP) with a note: no hand-off, no wait, once however often delivered', async () => {
    const w = world({ customer: reachedOn('sms') });
    const stopped = { blocked: true, reason: 'opted out (STOP)', at: MESSAGE_AT, envelopeId: 'env-stop' };
    w.deps.replies.store.getContactState = async () => stopped;
    const first = await inbound(w, 'How long does shipping take?', { channel: 'sms' });
    expect(first).toMatchObject({ routed: true, unreachable: true, decision: { target: 'ai' } });
    expect(first.decision?.detail).toContain('sms_opted_out');
    expect(notes(w).map((n) => n.text)).toEqual([OPTED_OUT_NOTE]);
    expect(ofType(w, (i) => i.event === 'assigned')).toEqual([]);
    expect(w.conversation.queue).toBeUndefined();
    expect(w.outbound).toEqual([]);
    const again = await inbound(w, 'How long does shipping take?', { channel: 'sms' });
    expect(again).toEqual({ routed: false, unreachable: true });
    expect(notes(w)).toHaveLength(1);
    expect(decisions(w)).toHaveLength(1);
    // One who also wrote on WhatsApp can be answered there: a person takes it, as any refused answer.
    const elsewhere = world({ customer: { ...reachedOn('sms'), channels: ['sms', 'whatsapp'] } });
    elsewhere.deps.replies.store.getContactState = async () => stopped;
    const handed = await inbound(elsewhere, 'How long does shipping take?', { channel: 'sms' });
    expect(handed.decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
    expect(handed.unreachable).toBeUndefined();
  });

  it.each([
    ['sms', 1600],
    ['whatsapp', 1600],
    ['messenger', 2000],
    ['instagram', 1000],
  ] as const)(
    'hands off an AI answer longer than %s takes in one message (%i), with the answer in the note',
    async (channel, limit) => {
      // A business's article with one long paragraph: Twilio refuses over 1,600 characters (21617).
      const long = `Trim the wick to 5 mm before every burn. ${'Let the wax melt to the edge. '.repeat(70)}`;
      const responder: Responder = {
        respond: async () => ({ reply: long, confidence: 0.95, sources: ['care'] }),
      };
      const w = world({
        responder,
        customer: reachedOn(channel),
      });
      const outcome = await inbound(w, 'how do I stop my candle tunnelling?', { channel });
      expect(outcome.decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
      expect(outcome.decision?.detail).toBe(
        `the AI's answer (${long.length} characters) is longer than ${channel} takes in one message (${limit}); a person must answer`,
      );
      expect(w.outbound).toEqual([]);
      const [note] = notes(w);
      expect(note?.text).toContain(`The AI's answer, not sent (from care): "Trim the wick to 5 mm`);
      expect(note?.text?.length).toBeLessThan(1200);
      // Within the limit it goes out.
      const short = world({
        responder: { respond: async () => ({ reply: long.slice(0, limit), confidence: 0.95 }) },
        customer: reachedOn(channel),
      });
      expect((await inbound(short, 'tunnelling?', { channel })).decision).toMatchObject({ target: 'ai' });
    },
  );

  it("puts the AI's answer the policy's threshold held back in the hand-off note, for the agent to use", async () => {
    const strict = parseRoutingPolicy(
      JSON.stringify({
        ...JSON.parse(JSON.stringify(policy)),
        escalation: { ...policy.escalation, aiConfidenceThreshold: 1 },
      }),
    );
    const w = world();
    w.deps.policy = strict;
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
    expect(notes(w)[0]?.text).toMatch(
      /The AI's answer, not sent \(from shipping-times\): "Hi Maria! Standard shipping takes/,
    );
  });

  it('quotes a long held-back answer in the note without cutting an emoji in half', async () => {
    const w = world({
      responder: { respond: async () => ({ reply: `a${'😀'.repeat(300)}`, confidence: 0.1 }) },
    });
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
    const note = notes(w)[0]?.text ?? '';
    expect(note).not.toMatch(/\p{Cs}/u);
    expect(note).toContain(`"a${'😀'.repeat(249)}…"`);
  });

  it('hands a redelivered message to a person, without asking the AI again, once it has waited 5 minutes for it', async () => {
    // Bedrock throttling (or down, or hanging) for every try: the queue redelivers, then dead-letters.
    const responder: Responder = {
      respond: async () => {
        throw new UnavailableError('Bedrock is throttling or unavailable');
      },
    };
    const w = world({ responder });
    const item = shippingQuestion('whatsapp:wamid.slow');
    await w.deps.store.putTimelineItem(item, undefined);
    const given = { customerId: 'cu_1', conversationId: 'cv_1', item };
    // The first delivery, and a redelivery a minute after the message: retried.
    await expect(routeMessage(w.deps, { ...given, firstDelivery: true })).rejects.toThrow(UnavailableError);
    await expect(routeMessage(w.deps, given)).rejects.toThrow(UnavailableError);
    expect(w.responderCalls).toBe(2);
    // The queue's third try comes 6 minutes after the message: a person answers it.
    w.deps.clock = { now: () => new Date(Date.parse(MESSAGE_AT) + 6 * 60_000) };
    const outcome = await routeMessage(w.deps, given);
    expect(w.responderCalls).toBe(2);
    // Its own reason: no answer in time is not a gap in the articles (low_confidence).
    expect(outcome).toMatchObject({ routed: true, decision: { target: 'human', reason: 'ai_failed' } });
    expect(outcome.decision?.detail).toBe(
      "the AI gave no answer within 5 minutes of the message's arrival (its earlier tries failed); a person must answer",
    );
    expect(notes(w)).toHaveLength(1);
    expect(notes(w)[0]?.text).toMatch(/^Hand-off \(ai_failed\): the AI gave no answer within 5 minutes/);
    expect(decisions(w)).toHaveLength(1);
    expect(w.conversation.queue).toBe('general');
  });

  it("counts the AI's 5 minutes from the item's first write, not from the provider's time of an old message", async () => {
    // A message timed 10 minutes before it came (a phone that was offline), written a moment ago by a
    // delivery still routing it: a provider's retry of it, here now, asks the AI as that delivery does.
    const w = world();
    const stored = new Date(Date.parse(MESSAGE_AT) + 10 * 60_000);
    w.deps.clock = { now: () => new Date(stored.getTime() + 2_000) };
    const item = { ...shippingQuestion('whatsapp:wamid.offline'), storedAt: stored.toISOString() };
    await w.deps.store.putTimelineItem(item, undefined);
    const outcome = await routeMessage(w.deps, { customerId: 'cu_1', conversationId: 'cv_1', item });
    expect(w.responderCalls).toBe(1);
    expect(outcome).toMatchObject({ routed: true, replied: true, decision: { target: 'ai' } });
    expect(notes(w)).toEqual([]);
  });

  it('hands an old message to a person once the AI has failed it for 5 minutes from its first write', async () => {
    const responder: Responder = {
      respond: async () => {
        throw new UnavailableError('Bedrock is throttling or unavailable');
      },
    };
    const w = world({ responder });
    const stored = Date.parse(MESSAGE_AT) + 10 * 60_000;
    const item = { ...shippingQuestion('whatsapp:wamid.offline'), storedAt: new Date(stored).toISOString() };
    await w.deps.store.putTimelineItem(item, undefined);
    const given = { customerId: 'cu_1', conversationId: 'cv_1', item };
    // 4 minutes after its write (14 after its time): asked again.
    w.deps.clock = { now: () => new Date(stored + 4 * 60_000) };
    await expect(routeMessage(w.deps, given)).rejects.toThrow(UnavailableError);
    expect(w.responderCalls).toBe(1);
    // 6 minutes after its write: a person, without the AI.
    w.deps.clock = { now: () => new Date(stored + 6 * 60_000) };
    const outcome = await routeMessage(w.deps, given);
    expect(w.responderCalls).toBe(1);
    expect(outcome).toMatchObject({ routed: true, decision: { target: 'human', reason: 'ai_failed' } });
    expect(decisions(w)).toHaveLength(1);
  });

  it('hands a message to a person once, with ai_failed, when Bedrock never answers it (BEDROCK_TIMEOUT_MS)', async () => {
    vi.useFakeTimers();
    try {
      // A hung Converse call: only the responder's own timeout ends it.
      const send = vi.fn(() => new Promise<never>(() => undefined));
      const client = { send } as unknown as BedrockRuntimeClient;
      const w = world({ responder: createBedrockResponder({ client, modelId: 'model', timeoutMs: 15_000 }) });
      const item = shippingQuestion('whatsapp:wamid.hung');
      await w.deps.store.putTimelineItem(item, undefined);
      const given = { customerId: 'cu_1', conversationId: 'cv_1', item };
      const routed = routeMessage(w.deps, { ...given, firstDelivery: true });
      await vi.advanceTimersByTimeAsync(15_000);
      const outcome = await routed;
      expect(outcome).toMatchObject({
        routed: true,
        decision: { target: 'human', reason: 'ai_failed', detail: 'the AI failed to answer' },
      });
      expect(notes(w).map((n) => n.text?.split('\n')[0])).toEqual([
        'Hand-off (ai_failed): the AI failed to answer.',
      ]);
      // The queue delivers it again (the invocation failed after the hand-off): nothing more is done.
      expect(await routeMessage(w.deps, given)).toEqual({ routed: false });
      expect(send).toHaveBeenCalledTimes(1);
      expect(notes(w)).toHaveLength(1);
      expect(decisions(w)).toHaveLength(1);
      expect(w.outbound).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("adds the policy's AI disclosure to the AI's first answer in a conversation, and to no later one", async () => {
    const disclosure = 'This is an automated answer. Write "person" to reach our team.';
    const w = world();
    w.deps.policy = parseRoutingPolicy(JSON.stringify({ ...policy, aiReplies: { disclosure } }));
    await inbound(w, 'How long does shipping take?');
    expect(w.outbound[0]?.text).toMatch(
      /^Hi Maria! Standard shipping takes .+\n\nThis is an automated answer\./s,
    );
    expect(w.outbound[0]?.text?.endsWith(disclosure)).toBe(true);
    await inbound(w, 'How long does shipping take?', { id: 'whatsapp:wamid.2' });
    expect(w.outbound).toHaveLength(2);
    expect(w.outbound[1]?.text).not.toContain(disclosure);
    // Without one in the policy, none.
    const plain = world();
    await inbound(plain, 'How long does shipping take?');
    expect(plain.outbound[0]?.text).not.toContain('automated');
  });

  it("tells the customer their message went to a person, in the policy's words, once per hand-off", async () => {
    const handoff = 'Thanks! A colleague will answer you here shortly.';
    const handoffAfterHours = 'Thanks! Our team is away now; a colleague will answer you here when we open.';
    const w = world();
    w.deps.policy = parseRoutingPolicy(
      JSON.stringify({ ...policy, aiReplies: { handoff, handoffAfterHours } }),
    );
    const outcome = await inbound(w, 'I want to speak to a person');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'asked_for_person' });
    expect(w.outbound.map((m) => m.text)).toEqual([handoff]);
    // Not the AI's answer: it ends no wait and meets no target.
    expect(w.outbound[0]?.author).toEqual({ kind: 'ai', id: 'automation' });
    // The next message waits for the same person: nothing more is sent.
    await inbound(w, 'hello?', { id: 'whatsapp:wamid.2' });
    expect(w.outbound).toHaveLength(1);
    // After hours, the after-hours words.
    const night = world();
    night.deps.policy = w.deps.policy;
    night.deps.clock = { now: () => new Date('2025-06-11T03:00:00.000Z') };
    await inbound(night, 'I want to speak to a person');
    expect(night.outbound.map((m) => m.text)).toEqual([handoffAfterHours]);
    // Without the policy's words, nothing is sent, as before.
    const plain = world();
    await inbound(plain, 'I want to speak to a person');
    expect(plain.outbound).toEqual([]);
  });

  it('tells a customer the AI does not answer in their language in their own words, when the policy has them', async () => {
    // Lucía's shop writes its hand-off in Portuguese and has Spanish and Arabic words beside it.
    const handoff = 'Obrigado! Passámos a sua mensagem a um colega.';
    const byLanguage = {
      es: { handoff: '¡Gracias! Un compañero le responderá aquí.' },
      ar: { handoff: 'شكراً! سيرد عليك أحد زملائنا هنا.' },
    };
    const withWords = () => {
      const w = world();
      w.deps.policy = parseRoutingPolicy(JSON.stringify({ ...policy, aiReplies: { handoff, byLanguage } }));
      return w;
    };
    const arabic = withWords();
    const outcome = await inbound(arabic, 'مرحبا، هل تم شحن طلبي رقم ١٢٣٤ إلى دبي؟ أنتظره منذ أسبوع');
    expect(outcome.decision?.detail).toBe('the AI does not answer in Arabic (ar)');
    // Before, the Portuguese words went to a customer the AI had just found writes Arabic.
    expect(arabic.outbound.map((m) => m.text)).toEqual([byLanguage.ar.handoff]);
    const spanish = withWords();
    await inbound(
      spanish,
      '¿Dónde está mi pedido? Lo pedí hace tres semanas y todavía no ha llegado a Madrid.',
    );
    expect(spanish.outbound.map((m) => m.text)).toEqual([byLanguage.es.handoff]);
    // A language without its own words, or none detected: the policy's words.
    const german = withWords();
    await inbound(german, 'Wo ist meine Bestellung? Ich warte schon seit drei Wochen darauf.');
    expect(german.outbound.map((m) => m.text)).toEqual([handoff]);
    const asked = withWords();
    await inbound(asked, 'I want to speak to a person');
    expect(asked.outbound.map((m) => m.text)).toEqual([handoff]);
  });

  it('hands a VIP to a person at once, without asking the AI', async () => {
    const w = world({ customer: { tags: ['vip'] } });
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'vip' });
    expect(w.responderCalls).toBe(0);
    expect(w.outbound).toEqual([]);
  });

  it('keeps the AI silent after an agent reply the state remembers, with no trace in the recent items', async () => {
    const w = world({ state: { humanRepliedAt: '2025-06-01T10:00:00.000Z' } });
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'human_took_over' });
    expect(w.responderCalls).toBe(0);
  });

  it('hands the message after the AI answer limit to a person, with the reason, without asking the AI', async () => {
    // The touch counted this message: the customer's eleventh turn, after ten AI answers in a row.
    const w = world({ state: { customerTurns: 11 } });
    const outcome = await inbound(w, 'How long does shipping take?');
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'ai_answer_limit', queue: 'general' });
    expect(w.responderCalls).toBe(0);
    expect(w.outbound).toEqual([]);
    expect(notes(w).map((n) => n.text?.split('\n')[0])).toEqual([
      'Hand-off (ai_answer_limit): the AI has answered 10 messages in a row in this conversation, its limit (aiMaxAnswersPerConversation 10): a person answers from here.',
    ]);
    // One under the limit, the AI answers as before.
    const under = world({ state: { customerTurns: 10 } });
    expect((await inbound(under, 'How long does shipping take?')).decision).toMatchObject({
      target: 'ai',
      reason: 'routine',
    });
  });

  it('escalates a switch to a channel the state says the customer did not use before in this episode', async () => {
    const w = world({ state: { inboundSince: { whatsapp: '2025-06-01T10:00:00.000Z', email: MESSAGE_AT } } });
    const outcome = await inbound(w, 'How long does shipping take?', { id: 'email:m1', channel: 'email' });
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'channel_switch' });
  });

  it('records the escalation on the conversation state, so later messages wait for a person', async () => {
    const w = world({ agents: [] });
    await inbound(w, 'I want to speak to a person', { id: 'whatsapp:wamid.1' });
    expect(w.conversation.assignee).toBeUndefined();
    // The first decision is out of the recent items' reach: only the state remembers it.
    w.items.clear();
    const later = await inbound(w, 'Hello?', { id: 'whatsapp:wamid.2' });
    expect(later.decision).toMatchObject({ target: 'human', reason: 'awaiting_human' });
  });

  it("names the queue the hand-off chose while the conversation's queue is not written yet", async () => {
    const w = world({ agents: [] });
    await inbound(w, 'I want to speak to a person', { id: 'whatsapp:wamid.1' });
    // The hand-off's assignment has not landed yet (a burst routed together), and the first decision is
    // out of the recent items' reach: the state alone says where the conversation goes.
    delete w.conversation.queue;
    w.items.clear();
    const later = await inbound(w, 'Here is my invoice', { id: 'whatsapp:wamid.2' });
    expect(later.decision).toMatchObject({ target: 'human', reason: 'awaiting_human', queue: 'general' });
    expect(later.decision?.detail).toBe('already escalated; waiting for an agent in general');
  });

  it("names the queue of the earlier decision the recent items show, while the conversation's is not written yet", async () => {
    const w = world({ agents: [] });
    await inbound(w, 'I want to speak to a person', { id: 'whatsapp:wamid.1' });
    delete w.conversation.queue;
    // A state from before the escalation's queue was kept: the recent `routed` event names it.
    const later = await inbound(w, 'Here is my invoice', { id: 'whatsapp:wamid.2' });
    expect(later.decision).toMatchObject({ target: 'human', reason: 'awaiting_human', queue: 'general' });
  });

  it('waits with the hand-off another message of the conversation made since it read it: no second note or assignment', async () => {
    // Two messages at once, neither for the AI: the other one takes the hand-off first.
    const w = world({
      policy: parseRoutingPolicy(JSON.stringify({ ...policy, aiReplies: { handoff: 'Thanks!' } })),
    });
    const take = w.deps.store.markEscalated;
    w.deps.store.markEscalated = async (id, escalation) => {
      await take(id, { at: NOW, itemId: 'whatsapp:wamid.first', queue: 'general' });
      return take(id, escalation);
    };
    const outcome = await inbound(w, 'I want to speak to a person', { id: 'whatsapp:wamid.second' });
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'awaiting_human', queue: 'general' });
    expect(outcome.decision?.detail).toBe(
      'another message handed this conversation to a person at the same time; waiting for an agent in general',
    );
    expect(outcome.assignedTo).toBeUndefined();
    expect(notes(w)).toEqual([]);
    expect(w.conversation.assignee).toBeUndefined();
    expect([...w.items.values()].filter((i) => i.event === 'assigned')).toEqual([]);
    // No holding message either (the policy has its words): the hand-off's message sends it.
    expect(w.outbound).toEqual([]);
    expect(decisions(w).map((d) => d.data?.reason)).toEqual(['awaiting_human']);
  });

  it('hands off again when its own earlier run took the hand-off and crashed', async () => {
    const w = world({ state: { escalatedAt: NOW, escalatedItemId: 'whatsapp:wamid.1' } });
    const outcome = await inbound(w, 'I want to speak to a person', { id: 'whatsapp:wamid.1' });
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'asked_for_person' });
    expect(outcome.assignedTo).toMatch(/^(ana|bob)$/);
    expect(notes(w)).toHaveLength(1);
  });

  it("records the conversation's first response only while the state has none", async () => {
    const recorded: string[] = [];
    for (const state of [{}, { firstResponseAt: '2025-06-01T10:00:00.000Z' }]) {
      const w = world({ state });
      w.deps.replies.store.recordFirstResponse = async (id) => void recorded.push(id);
      const outcome = await inbound(w, 'How long does shipping take?');
      expect(outcome.replied).toBe(true);
    }
    expect(recorded).toEqual(['cv_1']);
  });

  it("sends the AI's reply from the put that took its lease, queues it when that send lets go, and on a redelivery", async () => {
    const w = world();
    const leases: Array<string | undefined> = [];
    const place = w.deps.replies.store.placeReply;
    w.deps.replies.store.placeReply = (message, routed, leaseUntil) => {
      leases.push(leaseUntil);
      return place(message, routed, leaseUntil);
    };
    const sentNow: string[] = [];
    let failNext = false;
    w.deps.replies.sendNow = {
      leaseMs: 60_000,
      deliver: async (message, held) => {
        expect(held.leaseUntil).toBe(new Date(Date.parse(NOW) + 60_000).toISOString());
        if (failNext) {
          failNext = false;
          throw new Error('throttled: the lease was let go');
        }
        sentNow.push(message.id);
      },
    };
    await inbound(w, 'How long does shipping take?', { id: 'whatsapp:wamid.1' });
    expect(sentNow).toEqual(['ai:whatsapp:wamid.1']);
    expect(w.outbound).toEqual([]);
    failNext = true;
    await inbound(w, 'How long does shipping take?', { id: 'whatsapp:wamid.2' });
    expect(w.outbound.map((m) => m.id)).toEqual(['ai:whatsapp:wamid.2']);
    // A redelivery that finds the reply unsent (its first delivery died before the send) queues it.
    const reply = [...w.items.values()].find((i) => i.id === 'reply:ai:whatsapp:wamid.1');
    if (!reply) throw new Error('no reply');
    await inbound(w, 'How long does shipping take?', { id: 'whatsapp:wamid.1' });
    expect(sentNow).toEqual(['ai:whatsapp:wamid.1']);
    expect(w.outbound.map((m) => m.id)).toEqual(['ai:whatsapp:wamid.2', 'ai:whatsapp:wamid.1']);
    expect(leases).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
  });

  it("delays the reply it hands to the sender after the provider's throttling: its Retry-After, else 20 s", async () => {
    const w = world();
    const queued: Array<[string, number | undefined]> = [];
    w.deps.replies.queue = {
      enqueue: async (message, options) => {
        queued.push([message.id, options?.delaySeconds]);
      },
    };
    const failures = [
      new RetryableSendError('throttled', { retryAfterMs: 45_000 }),
      new RetryableSendError('HTTP 503'),
      new RetryableSendError('throttled', { retryAfterMs: 86_400_000 }),
      new Error('1000 ms of the invocation left: the reply goes to the sender'),
    ];
    w.deps.replies.sendNow = {
      leaseMs: 60_000,
      deliver: async () => {
        throw failures.shift();
      },
    };
    for (const n of [1, 2, 3, 4]) {
      await inbound(w, 'How long does shipping take?', { id: `whatsapp:wamid.${n}` });
    }
    expect(queued).toEqual([
      ['ai:whatsapp:wamid.1', 45],
      ['ai:whatsapp:wamid.2', 20],
      ['ai:whatsapp:wamid.3', 900],
      ['ai:whatsapp:wamid.4', undefined],
    ]);
  });

  it("tells the AI's send whether anybody waited, as the conversation was read", async () => {
    const nobody: Array<boolean | undefined> = [];
    for (const conversation of [{}, { waitingSince: MESSAGE_AT }]) {
      const w = world({ conversation });
      w.deps.replies.sendNow = {
        leaseMs: 60_000,
        deliver: async (_message, held) => {
          nobody.push(held.nobodyWaiting);
        },
      };
      await inbound(w, 'How long does shipping take?', { id: 'whatsapp:wamid.w' });
    }
    expect(nobody).toEqual([true, undefined]);
  });

  it('skips the check for an earlier decision when this delivery wrote the item', async () => {
    const w = world();
    let checks = 0;
    const get = w.deps.store.getTimelineItem;
    w.deps.store.getTimelineItem = async (...args) => {
      checks++;
      return get(...args);
    };
    const item = shippingQuestion('whatsapp:wamid.9');
    await w.deps.store.putTimelineItem(item, undefined);
    await routeMessage(w.deps, { customerId: 'cu_1', conversationId: 'cv_1', item, firstDelivery: true });
    expect(checks).toBe(0);
    const again = await routeMessage(w.deps, { customerId: 'cu_1', conversationId: 'cv_1', item });
    // The decision's own key, then the AI reply's (which carries the decision).
    expect(checks).toBe(2);
    expect(again.routed).toBe(false);
    // Answered by the AI before: the resolver starts no wait from it.
    expect(again.replied).toBe(true);
  });

  it("uses the resolver's read of an unmerged profile instead of reading it again; a merged one is read", async () => {
    const w = world();
    let reads = 0;
    const read = w.deps.store.mergedCustomers;
    w.deps.store.mergedCustomers = (id) => {
      reads++;
      return read(id);
    };
    const item = shippingQuestion('whatsapp:wamid.read-once');
    await w.deps.store.putTimelineItem(item, undefined);
    const given = { customerId: 'cu_1', conversationId: 'cv_1', item, firstDelivery: true };
    const outcome = await routeMessage(w.deps, { ...given, customer: w.customer });
    expect(outcome).toMatchObject({ routed: true, replied: true });
    expect(reads).toBe(0);
    const merged = { ...item, id: 'whatsapp:wamid.read-merged', at: '2025-06-08T20:59:59.000Z' };
    await w.deps.store.putTimelineItem(merged, undefined);
    await routeMessage(w.deps, { ...given, item: merged, customer: { ...w.customer, mergedFrom: ['cu_0'] } });
    expect(reads).toBe(1);
  });

  it('routes nothing but inbound messages and voicemails', async () => {
    const w = world();
    const outcome = await routeMessage(w.deps, {
      customerId: 'cu_1',
      conversationId: 'cv_1',
      item: { id: 'x', type: 'event', event: 'reaction', at: MESSAGE_AT, customerId: 'cu_1' },
    });
    expect(outcome.routed).toBe(false);
    expect(decisions(w)).toEqual([]);
  });
});

describe('routeMessage: a message handed to a person before the AI reads it', () => {
  /** A Portuguese queue and agent, a Portuguese way to ask for a person, and hand-off words in both. */
  const portuguese = parseRoutingPolicy(
    JSON.stringify({
      ...policy,
      queues: [{ name: 'portuguese', languages: ['pt'] }, ...policy.queues],
      escalation: {
        ...policy.escalation,
        askForPersonKeywords: [...policy.escalation.askForPersonKeywords, 'falar com uma pessoa'],
      },
      aiReplies: {
        handoff: 'Thanks! A colleague will answer you here shortly.',
        byLanguage: { pt: { handoff: 'Obrigado! Um colega vai responder aqui em breve.' } },
      },
    }),
  );
  const joao: Agent = { ...ana, id: 'joao', queues: ['portuguese'], languages: ['pt'] };
  const agents = [ana, bob, joao];

  /** Counts every call routing makes on the store, the admin port and the reply path's store. */
  function countCalls(w: World): Record<string, number> {
    const counts: Record<string, number> = {};
    const ports = [w.deps.store, w.deps.admin, w.deps.replies.store] as unknown as Array<
      Record<string, unknown>
    >;
    ports.forEach((port, i) => {
      for (const [name, fn] of Object.entries(port)) {
        if (typeof fn !== 'function') continue;
        port[name] = (...args: unknown[]) => {
          counts[`${i}.${name}`] = (counts[`${i}.${name}`] ?? 0) + 1;
          return fn(...args);
        };
      }
    });
    return counts;
  }

  it('sends a Portuguese request for a person to the Portuguese queue and agent, in Portuguese, for the same store calls', async () => {
    const w = world({ policy: portuguese, agents });
    const calls = countCalls(w);
    const outcome = await inbound(w, 'Olá, quero falar com uma pessoa, por favor');
    expect(outcome).toMatchObject({
      assignedTo: 'joao',
      decision: { target: 'human', reason: 'asked_for_person', queue: 'portuguese' },
    });
    expect(w.responderCalls).toBe(0);
    expect(w.conversation).toMatchObject({ assignee: 'joao', queue: 'portuguese' });
    expect(w.outbound.map((m) => m.text)).toEqual(['Obrigado! Um colega vai responder aqui em breve.']);
    expect(notes(w)[0]?.text).toContain('language pt');
    // The same calls as an English request for a person: detecting the language reads nothing more.
    const english = world({ policy: portuguese, agents });
    const englishCalls = countCalls(english);
    await inbound(english, 'Hello, I want to speak to a person please');
    expect(english.conversation).toMatchObject({ queue: 'general' });
    expect(calls).toEqual(englishCalls);
    expect(Object.keys(calls).length).toBeGreaterThan(5);
  });

  it("sends a VIP's Portuguese question to the Portuguese queue, and a short one to the default queue", async () => {
    const w = world({ policy: portuguese, agents, customer: { tags: ['vip'] } });
    const outcome = await inbound(w, 'Onde está a minha encomenda? Já passou uma semana.');
    expect(outcome.decision).toMatchObject({ reason: 'vip', queue: 'portuguese' });
    const short = world({ policy: portuguese, agents, customer: { tags: ['vip'] } });
    expect((await inbound(short, 'Olá!')).decision).toMatchObject({ reason: 'vip', queue: 'general' });
  });
});

describe('routeMessage: a hand-off reason the policy switched off', () => {
  const calm = parseRoutingPolicy(
    JSON.stringify({
      ...JSON.parse(
        readFileSync(
          new URL('../../../../shared/domain/routing/default-policy.json', import.meta.url),
          'utf8',
        ),
      ),
      escalation: { negativeSentimentEscalates: false },
    }),
  );
  const UPSET = 'this is pathetic. how long does delivery take?';

  it('lets the AI answer an upset customer when the policy does not escalate on mood', async () => {
    const w = world({ policy: calm });
    const outcome = await inbound(w, UPSET);
    expect(outcome.decision).toMatchObject({ target: 'ai', reason: 'routine' });
    expect(w.outbound).toHaveLength(1);
    expect(w.outbound[0]?.text).toContain('Standard shipping takes 2–4 working days');
    expect(w.outbound[0]?.text).not.toContain('colleague');
  });

  it("hands to a person a responder's hand-off made anyway, never sending its holding text as an answer", async () => {
    const responder: Responder = {
      respond: async (context) => {
        expect(context.escalates).toEqual({ negativeSentiment: false, askedForPerson: true });
        return {
          reply: "I'm sorry about this. I'm passing your message to a colleague.",
          confidence: 0.98,
          handoff: { reason: 'negative_sentiment', summary: 'Upset about delivery.' },
        };
      },
    };
    const w = world({ policy: calm, responder });
    const outcome = await inbound(w, UPSET);
    expect(outcome.decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
    expect(w.outbound).toEqual([]);
    expect(notes(w)).toHaveLength(1);
  });
});
