import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '#shared/domain/assignment.js';
import { Keys } from '#shared/store/keys.js';
import { assignConversationInput, resolveConversationInput } from '#shared/store/params/conversations.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'agent-load';
const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const profile = (id: string): AgentProfile => ({
  id,
  presence: 'online',
  queues: ['general'],
  languages: ['en'],
  capacity: 2,
  updatedAt: at(0),
});

/**
 * Every path that changes a conversation's assignee or open status keeps the agents' open counts
 * right, on dynalite: assignment, transfer, unassignment, take-next, resolve, reopen by hand, the
 * customer's message reopening it, erasure; a retry after a crash between the conversation's write
 * and the count's finishes the count, and repeating a path counts nothing twice.
 */
describe('agents\u2019 open conversations', () => {
  const local = useLocalStore(TABLE);
  let n = 0;
  const repos = () => local.repos;
  const db = () => ({ doc: documentClient(local.dynamo.client), table: TABLE });

  let recorded: RecordedCall[] | undefined;
  /** Every call of the table's client from the first ask on (a client takes one recorder). */
  const record = (): RecordedCall[] => {
    recorded ??= recordCalls(local.dynamo.client);
    return recorded;
  };

  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await repos().agents.listAgents()).map((a) => [a.id, a.openConversations]));

  /** An open conversation of a new customer, as the resolver's touch of its first message leaves it. */
  const open = async (): Promise<{ id: string; customerId: string }> => {
    n += 1;
    const conversation = { id: `cv_load${n}`, customerId: `cu_load${n}` };
    await repos().conversations.touchConversation({
      conversationId: conversation.id,
      customerId: conversation.customerId,
      channel: 'sms',
      at: at(n),
      now: at(n),
      inbound: true,
      reopen: false,
    });
    return conversation;
  };

  it('counts assignment, transfer and unassignment, and keeps the count when an agent updates themselves', async () => {
    for (const id of ['ag_ana', 'ag_bob']) await repos().agents.putAgent(profile(id));
    const cv = await open();
    await repos().conversations.assign(cv.id, { agentId: 'ag_ana', queue: 'general' }, 'ag_ana', at(10));
    expect(await counts()).toEqual({ ag_ana: 1, ag_bob: 0 });
    // The same assignment again (a retried request) counts once.
    await repos().conversations.assign(cv.id, { agentId: 'ag_ana' }, 'ag_ana', at(11));
    expect(await counts()).toEqual({ ag_ana: 1, ag_bob: 0 });
    await repos().agents.putAgent({ ...profile('ag_ana'), presence: 'away', updatedAt: at(12) });
    expect(await counts()).toEqual({ ag_ana: 1, ag_bob: 0 });
    await repos().conversations.assign(cv.id, { agentId: 'ag_bob' }, 'ag_ana', at(13));
    expect(await counts()).toEqual({ ag_ana: 0, ag_bob: 1 });
    // A queue-only transfer leaves the agent's count alone.
    await repos().conversations.assign(cv.id, { queue: 'billing' }, 'ag_bob', at(14));
    expect(await counts()).toEqual({ ag_ana: 0, ag_bob: 1 });
    await repos().conversations.assign(cv.id, { agentId: '' }, 'ag_bob', at(15));
    expect(await counts()).toEqual({ ag_ana: 0, ag_bob: 0 });
    await repos().conversations.assign(cv.id, { agentId: 'ag_bob' }, 'ag_bob', at(16));
    await repos().conversations.resolveConversation(cv.id, 'ag_bob', at(17));
  });

  it('counts resolve, reopen by hand and a reopen repeated, and an assignment of a resolved one not at all', async () => {
    await repos().agents.putAgent(profile('ag_cy'));
    const cv = await open();
    await repos().conversations.assign(cv.id, { agentId: 'ag_cy' }, 'ag_cy', at(20));
    expect((await counts()).ag_cy).toBe(1);
    await repos().conversations.resolveConversation(cv.id, 'ag_cy', at(21));
    expect((await counts()).ag_cy).toBe(0);
    await repos().conversations.resolveConversation(cv.id, 'ag_cy', at(22));
    expect((await counts()).ag_cy).toBe(0);
    await repos().conversations.reopenConversation(cv.id, 'ag_cy', at(23));
    await repos().conversations.reopenConversation(cv.id, 'ag_cy', at(24));
    expect((await counts()).ag_cy).toBe(1);
    await repos().conversations.resolveConversation(cv.id, 'ag_cy', at(25));
    await repos().conversations.assign(cv.id, { agentId: 'ag_cy' }, 'ag_cy', at(26));
    expect((await counts()).ag_cy).toBe(0);
    const item = await db().doc.get({
      TableName: TABLE,
      Key: Keys.conversation(cv.id),
      ConsistentRead: true,
    });
    // The conversation names no agent whose count it is no longer in.
    expect(item.Item?.loadAgents).toBeUndefined();
  });

  it('finishes the count on a retry after a crash between the conversation\u2019s write and the count', async () => {
    await repos().agents.putAgent(profile('ag_di'));
    await repos().agents.putAgent(profile('ag_ed'));
    const [a, b, c] = [await open(), await open(), await open()];
    // Each first run wrote the conversation and crashed before the agent's set.
    await db().doc.update(assignConversationInput(TABLE, a.id, { agentId: 'ag_di' }));
    await db().doc.update(assignConversationInput(TABLE, b.id, { agentId: 'ag_di' }, { ifUnassigned: true }));
    expect((await counts()).ag_di).toBe(0);
    await repos().conversations.assign(a.id, { agentId: 'ag_di' }, 'ag_di', at(30));
    // Take-next's retry finds it taken (by its own first run): not taken again, but counted.
    const taken = await repos().conversations.assign(b.id, { agentId: 'ag_di' }, 'routing', at(31), 'e', {
      ifUnassigned: true,
    });
    expect(taken).toBe(false);
    expect((await counts()).ag_di).toBe(2);
    // A transfer whose first run crashed after the conversation's write: the retry lets the old agent go.
    await repos().conversations.assign(c.id, { agentId: 'ag_ed' }, 'ag_ed', at(32));
    await db().doc.update(assignConversationInput(TABLE, c.id, { agentId: 'ag_di' }));
    expect(await counts()).toMatchObject({ ag_di: 2, ag_ed: 1 });
    await repos().conversations.assign(c.id, { agentId: 'ag_di' }, 'ag_ed', at(33));
    expect(await counts()).toMatchObject({ ag_di: 3, ag_ed: 0 });
    // A resolve whose first run crashed after the conversation's write.
    await db().doc.update(resolveConversationInput(TABLE, a.id, at(34), 'ag_di'));
    await repos().conversations.resolveConversation(a.id, 'ag_di', at(34));
    expect((await counts()).ag_di).toBe(2);
  });

  it('counts the customer\u2019s message reopening an assigned conversation, and no other message writes an agent', async () => {
    await repos().agents.putAgent(profile('ag_fa'));
    const cv = await open();
    await repos().conversations.assign(cv.id, { agentId: 'ag_fa' }, 'ag_fa', at(40));
    await repos().conversations.resolveConversation(cv.id, 'ag_fa', at(41));
    expect((await counts()).ag_fa).toBe(0);
    const calls = record();
    const touch = {
      conversationId: cv.id,
      customerId: cv.customerId,
      channel: 'sms' as const,
      inbound: true,
    };
    await repos().conversations.touchConversation({ ...touch, at: at(42), now: at(42), reopen: true });
    expect((await counts()).ag_fa).toBe(1);
    const reopenCalls = calls.length;
    await repos().conversations.touchConversation({ ...touch, at: at(43), now: at(43), reopen: false });
    const writes = calls.slice(reopenCalls).filter((call) => !isRead(call));
    expect(writes.map((call) => call.pk)).toEqual([`CONVERSATION#${cv.id}`]);
    expect((await counts()).ag_fa).toBe(1);
  });

  it('costs a hand-off one write more (the agent\u2019s set), a resolve two, take-next one and a read', async () => {
    await repos().agents.putAgent(profile('ag_gu'));
    const [cv, next] = [await open(), await open()];
    const calls = record();
    const start = calls.length;
    const since = (from: number) => calls.slice(from).map((call) => `${call.command} ${call.pk}`);
    await repos().conversations.assign(cv.id, { agentId: 'ag_gu', queue: 'general' }, 'routing', at(50));
    expect(since(start)).toEqual([
      `GetItem CONVERSATION#${cv.id}`,
      `UpdateItem CONVERSATION#${cv.id}`,
      'UpdateItem AGENT#ag_gu',
      `PutItem CUSTOMER#${cv.customerId}`,
    ]);
    let from = calls.length;
    await repos().conversations.resolveConversation(cv.id, 'ag_gu', at(51));
    expect(since(from).filter((call) => call.includes('AGENT#') || call.includes('CONVERSATION#'))).toEqual([
      `GetItem CONVERSATION#${cv.id}`,
      `UpdateItem CONVERSATION#${cv.id}`,
      'UpdateItem AGENT#ag_gu',
      `UpdateItem CONVERSATION#${cv.id}`,
    ]);
    from = calls.length;
    await repos().conversations.assign(next.id, { agentId: 'ag_gu' }, 'routing', at(52), 'e2', {
      ifUnassigned: true,
    });
    expect(since(from).filter((call) => !call.startsWith('PutItem'))).toEqual([
      `GetItem CONVERSATION#${next.id}`,
      `UpdateItem CONVERSATION#${next.id}`,
      `GetItem CONVERSATION#${next.id}`,
      'UpdateItem AGENT#ag_gu',
    ]);
    expect((await counts()).ag_gu).toBe(1);
  });

  it('claims a slot only while the agent is online with room and no busier than chosen on; a retry passes', async () => {
    await repos().agents.putAgent(profile('ag_cl'));
    const [a, b, c] = [await open(), await open(), await open()];
    const claim = (conversationId: string, seen: number) =>
      repos().agents.claimAgentSlot('ag_cl', conversationId, seen);
    expect(await claim(a.id, 1)).toEqual({ claimed: true });
    // Chosen on a load of 0, but another hand-off's claim made it 1: refused, with the agent as they are.
    expect(await claim(b.id, 0)).toMatchObject({ claimed: false, agent: { openConversations: 1 } });
    expect(await claim(b.id, 1)).toEqual({ claimed: true });
    // Capacity 2, full: refused whatever the load chosen on.
    expect(await claim(c.id, 2)).toMatchObject({ claimed: false, agent: { openConversations: 2 } });
    // A retry of a claim made (its set holds it) passes, full or not, and counts nothing twice.
    expect(await claim(b.id, 0)).toEqual({ claimed: true });
    expect((await counts()).ag_cl).toBe(2);
    await repos().agents.putAgent({ ...profile('ag_cl'), presence: 'away', capacity: 5, updatedAt: at(1) });
    expect(await claim(c.id, 5)).toMatchObject({ claimed: false, agent: { presence: 'away' } });
    expect(await repos().agents.claimAgentSlot('ag_nobody', c.id, 0)).toEqual({
      claimed: false,
      agent: undefined,
    });
  });

  it('counts a lead’s assignment over capacity, so routing’s claim finds no room, and a transfer releases it', async () => {
    await repos().agents.putAgent(profile('ag_full'));
    await repos().agents.putAgent(profile('ag_free'));
    const [a, b, c, d] = [await open(), await open(), await open(), await open()];
    // A team lead hands Ana three conversations, one over her capacity of 2: taken, and counted.
    for (const cv of [a, b, c]) {
      await repos().conversations.assign(cv.id, { agentId: 'ag_full' }, 'lead', at(30));
    }
    // The same assignment asked again (a retried request) counts nothing twice.
    await repos().conversations.assign(c.id, { agentId: 'ag_full' }, 'lead', at(31));
    expect((await counts()).ag_full).toBe(3);
    // Routing's claim of a fourth finds her full, whatever load the list showed.
    expect(await repos().agents.claimAgentSlot('ag_full', d.id, 0)).toMatchObject({
      claimed: false,
      agent: { openConversations: 3 },
    });
    // A transfer moves the count from the previous assignee to the new one; repeated, it stays so.
    for (const n of [32, 33]) {
      await repos().conversations.assign(a.id, { agentId: 'ag_free' }, 'lead', at(n));
    }
    expect(await counts()).toMatchObject({ ag_full: 2, ag_free: 1 });
    expect(await repos().agents.claimAgentSlot('ag_full', d.id, 2)).toMatchObject({ claimed: false });
  });

  it('costs a routed hand-off two writes to the agent’s item: the claim, then the set after the assignment', async () => {
    await repos().agents.putAgent(profile('ag_rt'));
    const cv = await open();
    const calls = record();
    const start = calls.length;
    await repos().agents.claimAgentSlot('ag_rt', cv.id, 0);
    const change = { by: 'ai', now: at(60), eventId: 'e-rt', routed: `${at(60)}#m1` };
    await repos().conversations.assignRouted(cv.id, { agentId: 'ag_rt', queue: 'general' }, change);
    expect(calls.slice(start).map((call) => `${call.command} ${call.pk}`)).toEqual([
      'UpdateItem AGENT#ag_rt',
      `GetItem CONVERSATION#${cv.id}`,
      `UpdateItem CONVERSATION#${cv.id}`,
      'UpdateItem AGENT#ag_rt',
      `PutItem CUSTOMER#${cv.customerId}`,
    ]);
    expect((await counts()).ag_rt).toBe(1);
  });
});
