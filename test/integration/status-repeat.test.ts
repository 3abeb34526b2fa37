import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { reopenConversationInput, resolveConversationInput } from '#shared/store/params/conversations.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const MINUTE = 60_000;
const ANA = 'agent-ana';
const BOB = 'agent-bob';
/** The customer asks for a person: routing hands off to the queue. */
const HANDOFF = 'I want to speak to a person, please.';

/**
 * A resolve or a reopen by hand happens once, however often it is asked for: a second click, two
 * agents at once, an integrator's retry. The first one stands (its time, its author, its one event and
 * survey), and asking again completes what a run that died right after the status write left undone
 * (the assignee's count, the profile, the event, the survey's timer). Through the local runtime (agent
 * API, resolver with routing, timers) on dynalite, time moved by the test.
 */
describe('local runtime: resolve and reopen by hand happen once', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T09:00:00.000Z'));
  let runtime: LocalRuntime;
  let sequence = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      env: {
        AGENT_TOKENS: `${ANA}:${agentToken('ana-token')},${BOB}:${agentToken('bob-token')}`,
        ROUTING_POLICY_FILE: shippedPolicyFileWith((policy) => {
          policy.csat = { enabled: true, delay: 'PT10M', question: 'How did we do?', excludeTags: [] };
        }),
      },
    });
    await runtime.store.agents.putAgent({
      id: ANA,
      presence: 'away',
      queues: ['general'],
      languages: ['en'],
      capacity: 5,
      updatedAt: new Date(time.now()).toISOString(),
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const ana = agentCaller(() => runtime.url, agentToken('ana-token'));
  const bob = agentCaller(() => runtime.url, agentToken('bob-token'));
  const { timeline } = customerReads(ana);
  const now = () => new Date(time.now()).toISOString();
  const doc = () => DynamoDBDocument.from(inspectionClient(runtime.dynamoEndpoint));

  /** A customer asks for a person on WhatsApp; the conversation is assigned to Ana. */
  const handedOffToAna = async (phone: string) => {
    time.advance(MINUTE);
    const message = { id: `wamid.REPEAT${++sequence}`, at: now(), text: HANDOFF };
    const payload = whatsappText({ from: phone, name: 'Repeat', messages: [message] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    const id = await openConversationOf(runtime, phone);
    await ana('POST', `/api/conversations/${id}/assign`, { agentId: ANA });
    const { customerId } = await conversation(id);
    return { id, customerId };
  };
  const conversation = async (id: string): Promise<Conversation> => {
    const found = await runtime.store.conversations.getConversation(id);
    if (!found) throw new Error(`no conversation ${id}`);
    return found;
  };
  /** The conversation's resolve and reopen events, with their author and time. */
  const statusEvents = async (customerId: string) =>
    (await timeline(customerId))
      .filter((i) => i.type === 'event' && (i.event === 'resolved' || i.event === 'reopened'))
      .map((i) => `${i.event} by ${String(i.data?.by)} at ${i.at}`);
  const openOf = async (customerId: string) =>
    (await runtime.store.customers.getCustomer(customerId))?.openConversationId;
  const load = async () => (await runtime.store.agents.getAgentNow(ANA))?.openConversations ?? 0;
  const surveys = (id: string) =>
    runtime.outbox.entries().filter((e) => e.message.author.id === 'csat' && e.message.conversationId === id);

  /** Resolved a minute after the hand-off, no survey; with Ana's count after it. */
  const resolvedByAna = async (phone: string) => {
    const { id, customerId } = await handedOffToAna(phone);
    time.advance(MINUTE);
    await ana('POST', `/api/conversations/${id}/resolve`, { csat: false });
    await runtime.idle();
    return { id, customerId, before: await load() };
  };
  /** The profile let go of it, Ana's count one less, and one survey ten minutes after the first resolve. */
  const expectResolvedOnce = async (id: string, customerId: string, before: number) => {
    expect(await openOf(customerId)).toBeUndefined();
    expect(await load()).toBe(before - 1);
    time.advance(9 * MINUTE);
    await runtime.idle();
    expect(surveys(id)).toHaveLength(1);
  };

  it('two agents resolving at once, then again: one resolve, its event, its survey', async () => {
    const { id, customerId } = await handedOffToAna('15550600001');
    // Ana answers: the survey asks about an answer given.
    await ana('POST', `/api/conversations/${id}/replies`, { text: 'On it.' });
    await runtime.idle();
    const before = await load();
    time.advance(MINUTE);
    const resolvedAt = now();
    const answers = await Promise.all([
      ana<Conversation>('POST', `/api/conversations/${id}/resolve`),
      bob<Conversation>('POST', `/api/conversations/${id}/resolve`),
    ]);
    await runtime.idle();
    expect(answers.map((c) => [c.status, c.resolvedAt])).toEqual([
      ['resolved', resolvedAt],
      ['resolved', resolvedAt],
    ]);
    const events = await statusEvents(customerId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(new RegExp(`^resolved by (${ANA}|${BOB}) at ${resolvedAt}$`));
    // A click a minute later: the first resolve stands, nothing is written twice.
    time.advance(MINUTE);
    const again = await bob<Conversation>('POST', `/api/conversations/${id}/resolve`);
    await runtime.idle();
    expect(again.resolvedAt).toBe(resolvedAt);
    expect(await statusEvents(customerId)).toEqual(events);
    await expectResolvedOnce(id, customerId, before);
  });

  it('two agents reopening at once: one reopen, its event, back to its assignee', async () => {
    const { id, customerId, before } = await resolvedByAna('15550600002');
    time.advance(MINUTE);
    const reopenedAt = now();
    const answers = await Promise.all([
      ana<Conversation>('POST', `/api/conversations/${id}/reopen`),
      bob<Conversation>('POST', `/api/conversations/${id}/reopen`),
    ]);
    expect(answers.map((c) => [c.status, c.waitingSince])).toEqual([
      ['open', reopenedAt],
      ['open', reopenedAt],
    ]);
    const events = await statusEvents(customerId);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatch(new RegExp(`^reopened by (${ANA}|${BOB}) at ${reopenedAt}$`));
    time.advance(MINUTE);
    await ana('POST', `/api/conversations/${id}/reopen`);
    expect(await statusEvents(customerId)).toEqual(events);
    expect((await conversation(id)).waitingSince).toBe(reopenedAt);
    expect(await openOf(customerId)).toBe(id);
    expect(await load()).toBe(before + 1);
  });

  it('completes a resolve whose run died right after its write: the profile, the count, the event, the survey', async () => {
    const { id, customerId } = await handedOffToAna('15550600003');
    // Ana answers: the survey asks about an answer given.
    await ana('POST', `/api/conversations/${id}/replies`, { text: 'On it.' });
    await runtime.idle();
    const before = await load();
    time.advance(MINUTE);
    const resolvedAt = now();
    await doc().update(resolveConversationInput('threadline', id, resolvedAt, ANA));
    await runtime.idle();
    expect(await statusEvents(customerId)).toEqual([]);
    expect(await openOf(customerId)).toBe(id);
    // Ana sees it still open in her list and resolves it again a minute later (or the client retries).
    time.advance(MINUTE);
    const answer = await ana<Conversation>('POST', `/api/conversations/${id}/resolve`);
    await runtime.idle();
    expect(answer).toMatchObject({ status: 'resolved', resolvedAt });
    expect(await statusEvents(customerId)).toEqual([`resolved by ${ANA} at ${resolvedAt}`]);
    await expectResolvedOnce(id, customerId, before);
  });

  it('completes a reopen whose run died right after its write: the event by its author, the profile, the count', async () => {
    const { id, customerId, before } = await resolvedByAna('15550600004');
    time.advance(MINUTE);
    const reopenedAt = now();
    await doc().update(reopenConversationInput('threadline', id, reopenedAt, BOB));
    await runtime.idle();
    expect(await openOf(customerId)).toBeUndefined();
    time.advance(MINUTE);
    await ana('POST', `/api/conversations/${id}/reopen`);
    const events = await statusEvents(customerId);
    expect(events.at(-1)).toBe(`reopened by ${BOB} at ${reopenedAt}`);
    expect(events.filter((e) => e.startsWith('reopened'))).toHaveLength(1);
    expect(await openOf(customerId)).toBe(id);
    expect(await load()).toBe(before + 1);
  });
});
