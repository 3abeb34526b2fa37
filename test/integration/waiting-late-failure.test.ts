import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliverReply } from '#shared/app/deliver-reply.js';
import type { StatusEnvelope } from '#shared/domain/envelope.js';
import { eventsOfChange } from '#shared/domain/events/map-change.js';
import type { InboxConversation } from '#shared/domain/inbox.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import type { OutboxEntry } from '#shared/domain/outbox.js';
import { replyKeyOf } from '#shared/domain/reply-key.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SHARDS, shardOf } from '#shared/store/keys.js';
import { lateFailureReopenInput } from '#shared/store/params/waiting.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const MINUTE = 60_000;
const TOKEN = agentToken('late-failure-token');
/** The agent the token is. */
const AGENT = 'agent-late';
/** A routine question: the AI answers it. */
const QUESTION = 'How long does shipping take?';
/** The customer asks for a person: routing hands off, and the AI stays silent after. */
const HANDOFF = 'I want to speak to a person, please.';

/**
 * A reply the provider took (the send succeeded, the wait ended) and later reported `failed` never
 * reached the customer: the conversation waits again, the AI's answer from the message it answered, an
 * agent's reply from its own time, as long as it is the last answer and none reached the customer after
 * it. A `failed` after `read` changes nothing, a redelivered status changes nothing more, and a status
 * redelivered after a crash between the reply's write and the conversation's completes the second.
 * Through the local runtime (webhooks, resolver with routing and the AI, sender, agent API) on dynalite.
 */
describe('local runtime: a reply that fails after the provider took it brings the wait back', () => {
  const time = new ManualTimers(Date.parse('2026-03-02T09:00:00.000Z'));
  let runtime: LocalRuntime;
  const calls: RecordedCall[] = [];
  let sequence = 0;
  /** The `conversation.opened` events integrators get, mapped from the change feed as the events function does. */
  const opened: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      // The change feed (the live updates run on it): what integrators would get, read off it.
      live: true,
      env: { AGENT_TOKENS: `${AGENT}:${TOKEN}` },
      dynamoClient: (client) => {
        recordCalls(client, calls);
        return client;
      },
    });
    runtime.feed?.subscribe(async (records) => {
      for (const event of records.flatMap(eventsOfChange)) {
        if (event.type !== 'conversation.opened' || event.data.reopened !== true) continue;
        const { conversationId, reopened, openedAt } = event.data;
        opened.push({ conversationId, reopened, openedAt });
      }
      return {};
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  /** The customer writes on WhatsApp a minute after the last step. */
  const write = async (phone: string, text: string) => {
    time.advance(MINUTE);
    const at = new Date(time.now()).toISOString();
    const id = `wamid.LATE${++sequence}`;
    await post(whatsappText({ from: phone, name: `Late ${phone.slice(-2)}`, messages: [{ id, at, text }] }));
    return at;
  };
  /** The newest reply sent to the conversation by this author kind, as the provider received it. */
  const sentTo = (conversationId: string, kind: 'agent' | 'ai'): OutboxEntry => {
    const entry = runtime.outbox
      .entries()
      .filter((e) => e.message.conversationId === conversationId && e.message.author.kind === kind)
      .at(-1);
    if (!entry) throw new Error(`no ${kind} reply in ${conversationId}`);
    return entry;
  };
  /** An agent replies a minute after the last step; the sender sends it. */
  const reply = async (conversationId: string, text: string) => {
    time.advance(MINUTE);
    await api('POST', `/api/conversations/${conversationId}/replies`, { text });
    await runtime.idle();
    return sentTo(conversationId, 'agent');
  };
  /** WhatsApp's status webhook for a reply, carrying its key as the send did. */
  const status = async (entry: OutboxEntry, phone: string, value: 'delivered' | 'read' | 'failed') => {
    time.advance(1000);
    await post(
      whatsappStatus({
        id: entry.providerMessageId,
        status: value,
        at: new Date(time.now()).toISOString(),
        recipient: phone,
        callbackData: entry.replyKey,
      }),
    );
  };
  /** WhatsApp's `failed` for a reply as the resolver takes it, for a run that dies after its first write. */
  const failedStatus = (entry: OutboxEntry): StatusEnvelope =>
    ({
      id: `whatsapp:status:crash:${entry.providerMessageId}`,
      kind: 'status',
      provider: 'whatsapp',
      channel: 'whatsapp',
      providerMessageId: entry.providerMessageId,
      status: 'failed',
      occurredAt: new Date(time.now()).toISOString(),
      receivedAt: new Date(time.now()).toISOString(),
      ...(entry.replyKey ? { replyKey: entry.replyKey } : {}),
    }) as StatusEnvelope;
  const conversation = async (id: string) => {
    const found = await runtime.store.conversations.getConversation(id);
    if (!found) throw new Error(`no conversation ${id}`);
    return found;
  };
  const inbox = async (ids: string[]) => {
    const page = (await api('GET', '/api/conversations?status=open&limit=200')) as unknown as {
      items: InboxConversation[];
    };
    return page.items.filter((c) => ids.includes(c.id)).map((c) => ({ id: c.id, waiting: c.waiting }));
  };
  /** The DynamoDB calls a step made: command, the item it named (reply, conversation, other), failed condition. */
  const spent = async (conversationId: string, step: () => Promise<unknown>) => {
    await runtime.idle();
    calls.length = 0;
    await step();
    await runtime.idle();
    // The live updates' own writes and reads on the change feed are none of the step's.
    return calls
      .filter((c) => !c.pk.startsWith('LIVE'))
      .map((c) => [
        c.command,
        c.sk.includes('#reply:')
          ? 'reply'
          : c.pk === `CONVERSATION#${conversationId}`
            ? 'conversation'
            : c.pk,
        c.failed,
      ]);
  };

  it("waits again from the message the AI's failed answer answered, once however often the status comes", async () => {
    const phone = '15550500001';
    const asked = await write(phone, QUESTION);
    const id = await openConversationOf(runtime, phone);
    expect(await inbox([id])).toEqual([{ id, waiting: false }]);
    const answer = sentTo(id, 'ai');
    // Delivered: the one write it always was, nothing on the conversation.
    expect(await spent(id, () => status(answer, phone, 'delivered'))).toEqual([
      ['UpdateItem', 'reply', false],
    ]);
    // Failed: the reply's write (returning it), then the conversation's. The answer was the
    // conversation's first response and its wait came back: the mark goes (a conditional write on the
    // mark's time) and one response and its wait come off its day's counters. Only when its wait came
    // back: a redelivery (below) tries neither; a later answer's `failed` only the mark's write (its
    // condition fails); a successful send none (the mark keeps its wait in the write it always was).
    expect(await spent(id, () => status(answer, phone, 'failed'))).toEqual([
      ['UpdateItem', 'reply', false],
      ['UpdateItem', 'conversation', false],
      // The take-back owes its count on the conversation (the mark goes in the same write), adds it
      // to the day under a claim, then settles the debt and the claim (a crash anywhere converges).
      ['UpdateItem', 'conversation', false],
      ['UpdateItem', `METRICS#${shardOf(id, SHARDS.metrics)}`, false],
      ['UpdateItem', 'conversation', false],
      ['UpdateItem', `METRICS#${shardOf(id, SHARDS.metrics)}`, false],
      // The AI's answer: a person is handed it, as for an answer refused up front (the note, then
      // the assignment to the queue with its event), only when its wait came back; then the mark of
      // the hand-off the wait's write recorded goes (a crash before it leaves it to the redelivery).
      ['GetItem', 'conversation', false],
      ['PutItem', `CUSTOMER#${(await conversation(id)).customerId}`, false],
      ['GetItem', 'conversation', false],
      ['UpdateItem', 'conversation', false],
      ['GetItem', 'conversation', false],
      ['PutItem', `CUSTOMER#${(await conversation(id)).customerId}`, false],
      ['UpdateItem', 'conversation', false],
    ]);
    const waiting = await conversation(id);
    expect(waiting.waitingSince).toBe(asked);
    expect(waiting.answeredAt).toBeUndefined();
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
    // Redelivered: the reply's write fails, its read says failed, the conversation's write fails, and
    // so does the reopen tried after it (the conversation is not resolved), whose read finds no reopen
    // of this failure to complete; the AI's answer, one strong read more finds no hand-off owed.
    expect(await spent(id, () => status(answer, phone, 'failed'))).toEqual([
      ['UpdateItem', 'reply', true],
      ['GetItem', 'reply', false],
      ['UpdateItem', 'conversation', true],
      ['UpdateItem', 'conversation', true],
      ['GetItem', 'conversation', false],
      ['GetItem', 'conversation', false],
    ]);
    expect(await conversation(id)).toEqual(waiting);
  });

  it("waits again from the time of an agent's failed reply, among the waiting in order", async () => {
    const [phone, other, later] = ['15550500011', '15550500012', '15550500013'];
    const waitedFrom = await write(other, HANDOFF);
    await write(phone, HANDOFF);
    const id = await openConversationOf(runtime, phone);
    const sent = await reply(id, 'Here now: let me look.');
    const repliedAt = sent.message.at;
    expect(await conversation(id)).toMatchObject({ answeredAt: repliedAt });
    expect((await conversation(id)).waitingSince).toBeUndefined();
    const laterAt = await write(later, HANDOFF);
    await status(sent, phone, 'failed');
    expect((await conversation(id)).waitingSince).toBe(repliedAt);
    const ids = await Promise.all([other, phone, later].map((p) => openConversationOf(runtime, p)));
    // Between the one that waited before the reply and the one that began to wait after it.
    expect(waitedFrom < repliedAt && repliedAt < laterAt).toBe(true);
    expect(await inbox(ids)).toEqual(ids.map((c) => ({ id: c, waiting: true })));
  });

  it('changes nothing when the reply was read, or an answer reached the customer after it', async () => {
    // Read, then failed: read outranks failed, the reply stays read and nothing else is written.
    const readPhone = '15550500021';
    await write(readPhone, QUESTION);
    const readId = await openConversationOf(runtime, readPhone);
    const read = sentTo(readId, 'ai');
    await status(read, readPhone, 'read');
    const before = await conversation(readId);
    expect(await spent(readId, () => status(read, readPhone, 'failed'))).toEqual([
      ['UpdateItem', 'reply', true],
      ['GetItem', 'reply', false],
    ]);
    expect(await conversation(readId)).toEqual(before);

    // An agent's second reply went out: the first one failing leaves the conversation answered.
    const agentPhone = '15550500022';
    await write(agentPhone, HANDOFF);
    const agentId = await openConversationOf(runtime, agentPhone);
    const first = await reply(agentId, 'Looking now.');
    const second = await reply(agentId, 'Found it: it ships today.');
    await status(first, agentPhone, 'failed');
    const answered = await conversation(agentId);
    expect(answered.waitingSince).toBeUndefined();
    // The answer that ended the wait is still the first; the second was sent after it.
    expect(answered.answeredAt).toBe(first.message.at);

    // The AI answered the customer's next message too (an answer that writes nothing, nobody waited):
    // its first answer failing leaves them answered.
    const aiPhone = '15550500023';
    await write(aiPhone, QUESTION);
    const aiId = await openConversationOf(runtime, aiPhone);
    const firstAnswer = sentTo(aiId, 'ai');
    await write(aiPhone, QUESTION);
    expect(sentTo(aiId, 'ai').message.id).not.toBe(firstAnswer.message.id);
    await status(firstAnswer, aiPhone, 'failed');
    expect((await conversation(aiId)).waitingSince).toBeUndefined();
    expect(await inbox([readId, agentId, aiId])).toEqual([
      { id: readId, waiting: false },
      { id: agentId, waiting: false },
      { id: aiId, waiting: false },
    ]);
  });

  it('stays answered when a follow-up reply that ended no wait fails, and its answer was delivered', async () => {
    // The customer wrote once; an agent answered (ending the wait), then wrote again. The first
    // reply reached them; the second failing ends nothing and brings back no wait.
    const phone = '15550500025';
    await write(phone, HANDOFF);
    const id = await openConversationOf(runtime, phone);
    const answer = await reply(id, 'Sorry! Can you send a photo?');
    const followUp = await reply(id, 'Also, what is your order number?');
    // The answer that last ended a wait is the first reply's, not the follow-up's.
    expect(await conversation(id)).toMatchObject({ answeredAt: answer.message.at });
    await status(answer, phone, 'delivered');
    await status(followUp, phone, 'failed');
    const after = await conversation(id);
    expect(after.waitingSince).toBeUndefined();
    expect(after.answeredAt).toBe(answer.message.at);
    expect(await inbox([id])).toEqual([{ id, waiting: false }]);
  });

  it('completes the wait on a redelivered status after a crash between the two writes', async () => {
    const phone = '15550500031';
    const asked = await write(phone, QUESTION);
    const id = await openConversationOf(runtime, phone);
    const answer = sentTo(id, 'ai');
    time.advance(1000);
    // The first delivery's write to the reply, and a crash before the conversation's.
    expect(await runtime.store.timeline.advanceStatus(failedStatus(answer))).toBeDefined();
    expect((await conversation(id)).waitingSince).toBeUndefined();
    await status(answer, phone, 'failed');
    expect((await conversation(id)).waitingSince).toBe(asked);
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
  });

  /** The conversation's status-change events on its customer's timeline. */
  const statusEvents = async (id: string) => {
    const { customerId } = await conversation(id);
    const page = (await api('GET', `/api/customers/${customerId}/timeline?limit=200`)) as unknown as {
      items: Array<{ type: string; event?: string; data?: Record<string, unknown> }>;
    };
    return page.items
      .filter((i) => i.type === 'event' && (i.event === 'resolved' || i.event === 'reopened'))
      .map((i) => `${i.event} by ${String(i.data?.by)}`);
  };
  /** A handed-off conversation its agent answered, then resolved (answer, resolve, next). */
  const answeredThenResolved = async (phone: string) => {
    await write(phone, HANDOFF);
    const id = await openConversationOf(runtime, phone);
    await api('POST', `/api/conversations/${id}/assign`, { agentId: AGENT });
    const sent = await reply(id, 'It ships today.');
    time.advance(MINUTE);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    await runtime.idle();
    expect(await conversation(id)).toMatchObject({ status: 'resolved', answeredAt: sent.message.at });
    return { id, sent };
  };
  const load = async () => (await runtime.store.agents.getAgentNow(AGENT))?.openConversations;
  /** The agent, away (so routing gives them nothing), with room for the conversations reopened to them. */
  const agentAway = () =>
    runtime.store.agents.putAgent({
      id: AGENT,
      presence: 'away',
      queues: ['general'],
      languages: ['en'],
      capacity: 5,
      updatedAt: new Date(time.now()).toISOString(),
    });

  it("reopens a conversation resolved after the failed reply: in the inbox, its agent's, waiting from the reply", async () => {
    const phone = '15550500051';
    await agentAway();
    const { id, sent } = await answeredThenResolved(phone);
    const { customerId } = await conversation(id);
    expect(await load()).toBe(0);
    const profile = `CUSTOMER#${customerId}`;
    expect(await spent(id, () => status(sent, phone, 'failed'))).toEqual([
      ['UpdateItem', 'reply', false],
      // The open case's wait: not open.
      ['UpdateItem', 'conversation', true],
      // The reopen, as by hand: the conversation, its agent's open ones, the profile's, its pending
      // survey (none here: read only), the event.
      ['UpdateItem', 'conversation', false],
      ['UpdateItem', 'conversation', false],
      ['UpdateItem', `AGENT#${AGENT}`, false],
      ['UpdateItem', profile, false],
      ['GetItem', profile, false],
      ['PutItem', profile, false],
      // The wait again, as on an open conversation.
      ['UpdateItem', 'conversation', false],
      // The reply was the first response, and a person's: taken back (the first-response-only form of
      // the mark's write fails, the one with the person's mark takes both and owes the count), the
      // count taken off the day under a claim, then the debt and the claim settled.
      ['UpdateItem', 'conversation', true],
      ['UpdateItem', 'conversation', false],
      ['UpdateItem', `METRICS#${shardOf(id, SHARDS.metrics)}`, false],
      ['UpdateItem', 'conversation', false],
      ['UpdateItem', `METRICS#${shardOf(id, SHARDS.metrics)}`, false],
    ]);
    const reopened = await conversation(id);
    expect(reopened).toMatchObject({ status: 'open', waitingSince: sent.message.at });
    expect(reopened.answeredAt).toBeUndefined();
    expect(reopened.resolvedAt).toBeUndefined();
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
    expect(await load()).toBe(1);
    expect((await runtime.store.customers.getCustomer(customerId))?.openConversationId).toBe(id);
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`, 'reopened by delivery']);
    // The integrators' event comes from the reopen's write: resolved before, open after.
    expect(opened.filter((e) => e.conversationId === id)).toEqual([
      { conversationId: id, reopened: true, openedAt: expect.any(String) },
    ]);

    // Redelivered: every conditional write fails, no second reopen nor event; the read finds the
    // reopen's wait moved on (so nothing after it was left undone); the first response's take-back is
    // tried (a run that died right after the wait's write left it: its condition decides), in both
    // its forms, then one strong read finds no count owed.
    expect(await spent(id, () => status(sent, phone, 'failed'))).toEqual([
      ['UpdateItem', 'reply', true],
      ['GetItem', 'reply', false],
      ['UpdateItem', 'conversation', true],
      ['UpdateItem', 'conversation', true],
      ['GetItem', 'conversation', false],
      ['UpdateItem', 'conversation', true],
      ['UpdateItem', 'conversation', true],
      ['GetItem', 'conversation', false],
    ]);
    expect(await conversation(id)).toEqual(reopened);
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`, 'reopened by delivery']);
    expect(opened.filter((e) => e.conversationId === id)).toHaveLength(1);
    expect(await load()).toBe(1);
  });

  it('leaves resolved a conversation written to, or answered again, since the reply, or resolved before it', async () => {
    // The customer wrote after the reply, before the resolve.
    const wrotePhone = '15550500061';
    await write(wrotePhone, HANDOFF);
    const wroteId = await openConversationOf(runtime, wrotePhone);
    const unread = await reply(wroteId, 'Checking.');
    await write(wrotePhone, 'Any news?');
    time.advance(MINUTE);
    await api('POST', `/api/conversations/${wroteId}/resolve`, { csat: false });
    // Answered again: a second reply went out before the resolve.
    const againPhone = '15550500062';
    const again = await answeredThenResolved(againPhone);
    await api('POST', `/api/conversations/${again.id}/reopen`);
    const second = await reply(again.id, 'And it is insured.');
    await api('POST', `/api/conversations/${again.id}/resolve`, { csat: false });
    // Resolved before the reply was written (the clock resolves at its timer's due time).
    const earlyPhone = '15550500063';
    await write(earlyPhone, HANDOFF);
    const earlyId = await openConversationOf(runtime, earlyPhone);
    const dueAt = new Date(time.now()).toISOString();
    const early = await reply(earlyId, 'Here it is.');
    await runtime.store.conversations.resolveConversation(earlyId, 'clock', dueAt);
    await runtime.idle();
    const before = await Promise.all([wroteId, again.id, earlyId].map(conversation));
    expect(before.map((c) => c.status)).toEqual(['resolved', 'resolved', 'resolved']);
    // Each fails one rule only: the customer wrote since; a later answer; resolved before the reply.
    expect(before.map((c) => c.answeredAt)).toEqual([unread.message.at, second.message.at, early.message.at]);
    expect(before[0]?.lastMessageAt && before[0].lastMessageAt > unread.message.at).toBe(true);
    expect(before[2]?.resolvedAt && before[2].resolvedAt < early.message.at).toBe(true);
    await status(unread, wrotePhone, 'failed');
    await status(again.sent, againPhone, 'failed');
    await status(early, earlyPhone, 'failed');
    expect(await Promise.all([wroteId, again.id, earlyId].map(conversation))).toEqual(before);
    for (const id of [wroteId, earlyId]) expect(await statusEvents(id)).not.toContain('reopened by delivery');
  });

  it('reopens one resolved before the sender recorded the failed reply (its answer never written): waiting from the reopen', async () => {
    const phone = '15550500052';
    const { id, sent } = await answeredThenResolved(phone);
    // A second reply, written a second before the resolve; the sender found it resolved and recorded
    // no answer, so the conversation's last answer is still the first reply.
    const unrecorded = new Date(Date.parse(sent.message.at) + 1000).toISOString();
    const resolved = await conversation(id);
    expect(resolved.resolvedAt && resolved.resolvedAt > unrecorded).toBe(true);
    // A reply written after the resolve was never part of it: stays resolved.
    const afterResolve = new Date(time.now() + 1000).toISOString();
    const { reopenAfterFailure } = runtime.store.conversations;
    expect(await reopenAfterFailure(id, afterResolve, afterResolve, afterResolve)).toBe(false);
    time.advance(MINUTE);
    const now = new Date(time.now()).toISOString();
    expect(await reopenAfterFailure(id, sent.message.at, unrecorded, now)).toBe(true);
    expect(await reopenAfterFailure(id, sent.message.at, unrecorded, now)).toBe(false);
    expect(await conversation(id)).toMatchObject({ status: 'open', waitingSince: now });
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`, 'reopened by delivery']);
  });

  /** The reopen's own write as a run that died right after it left it: nothing that follows it. */
  const reopenThenCrash = async (id: string, failed: string) => {
    time.advance(1000);
    const input = lateFailureReopenInput('threadline', id, new Date(time.now()).toISOString(), failed);
    await DynamoDBDocument.from(inspectionClient(runtime.dynamoEndpoint)).update(input);
    await runtime.idle();
  };

  it("completes the reopen on a redelivered status after a crash right after the reopen's write", async () => {
    const phone = '15550500071';
    await agentAway();
    const { id, sent } = await answeredThenResolved(phone);
    const { customerId } = await conversation(id);
    // The agent has the conversations earlier tests reopened to them.
    const before = (await load()) ?? 0;
    // The first delivery wrote the reply's status and the reopen, then died.
    expect(await runtime.store.timeline.advanceStatus(failedStatus(sent))).toBeDefined();
    await reopenThenCrash(id, sent.message.at);
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`]);
    expect((await runtime.store.customers.getCustomer(customerId))?.openConversationId).toBeUndefined();
    await status(sent, phone, 'failed');
    expect(await conversation(id)).toMatchObject({ status: 'open', waitingSince: sent.message.at });
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`, 'reopened by delivery']);
    expect((await runtime.store.customers.getCustomer(customerId))?.openConversationId).toBe(id);
    expect(await load()).toBe(before + 1);
    // Once more: nothing repeats.
    await status(sent, phone, 'failed');
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`, 'reopened by delivery']);
    expect(await load()).toBe(before + 1);
  });

  it('completes the reopen after a crash when a later answer went unrecorded (its wait from the reopen)', async () => {
    const phone = '15550500072';
    const { id, sent } = await answeredThenResolved(phone);
    const { customerId } = await conversation(id);
    // The failed reply is one the sender never recorded as the answer (written before the resolve).
    const unrecorded = new Date(Date.parse(sent.message.at) + 1000).toISOString();
    await reopenThenCrash(id, unrecorded);
    const reopenedAt = (await conversation(id)).waitingSince;
    const now = new Date(time.now() + MINUTE).toISOString();
    // The status comes again: the reopen stands (no second one), what follows it is done.
    expect(await runtime.store.conversations.reopenAfterFailure(id, sent.message.at, unrecorded, now)).toBe(
      false,
    );
    expect(await conversation(id)).toMatchObject({ status: 'open', waitingSince: reopenedAt });
    expect(await statusEvents(id)).toEqual([`resolved by ${AGENT}`, 'reopened by delivery']);
    expect((await runtime.store.customers.getCustomer(customerId))?.openConversationId).toBe(id);
  });

  it('leaves a snoozed conversation snoozed: it comes back by itself, waiting from the reply', async () => {
    const phone = '15550500081';
    await write(phone, HANDOFF);
    const id = await openConversationOf(runtime, phone);
    const sent = await reply(id, 'Here it is.');
    const until = new Date(time.now() + 60 * MINUTE).toISOString();
    await api('POST', `/api/conversations/${id}/snooze`, { until });
    await status(sent, phone, 'failed');
    // Snoozing keeps it open, out of the inbox: the wait's write keeps it among the snoozed.
    expect(await conversation(id)).toMatchObject({
      status: 'open',
      snoozedUntil: until,
      waitingSince: sent.message.at,
    });
    expect(await inbox([id])).toEqual([]);
    expect(await statusEvents(id)).toEqual([]);
  });

  it("waits again when the failed status lands before the sender records the agent's send", async () => {
    const phone = '15550500041';
    await write(phone, HANDOFF);
    const id = await openConversationOf(runtime, phone);
    // The reply as the agent API queues it, held back from the runtime's sender.
    time.advance(MINUTE);
    const held: string[] = [];
    const queue = runtime.outbound.send;
    runtime.outbound.send = async (bodies) => {
      held.push(...bodies);
      return [];
    };
    try {
      await api('POST', `/api/conversations/${id}/replies`, { text: 'On it.' });
    } finally {
      runtime.outbound.send = queue;
    }
    const message = OutboundMessageSchema.parse(JSON.parse(held[0] ?? '{}'));
    // The provider takes it and reports it failed before its answer reaches the sender's writes.
    const send = async () => {
      await post(
        whatsappStatus({
          id: 'wamid.RACE.FAILED',
          status: 'failed',
          at: new Date(time.now()).toISOString(),
          recipient: phone,
          callbackData: replyKeyOf(message),
        }),
      );
      // The status found the conversation still waiting: nothing to undo yet.
      expect((await conversation(id)).answeredAt).toBeUndefined();
      return { providerMessageId: 'wamid.RACE.FAILED', keyEchoed: true };
    };
    const { replies, conversations } = runtime.store;
    const store = {
      ...replies,
      markAnswered: conversations.markAnswered,
      startWaitingAfterFailure: conversations.startWaitingAfterFailure,
    };
    const clock = { now: () => new Date(time.now()) };
    const deps = { store, senders: { whatsapp: { send } }, clock, leaseMs: 60_000, maxAttempts: 3 };
    await deliverReply(deps, message, 1);
    const after = await conversation(id);
    expect(after.waitingSince).toBe(message.at);
    expect(after.answeredAt).toBeUndefined();
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
  });
});
