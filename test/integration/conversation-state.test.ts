import { describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import type { ConversationState } from '#shared/domain/routing/conversation-state.js';
import { randomIds } from '#shared/store/ids.js';
import { useLocalStore } from '../support/local-store.js';
import { inboundText } from '../unit/fakes/envelopes.js';

/**
 * The routing state on the conversation item, against the real DynamoDB API (dynalite): the same
 * whatever order messages arrive in and however often they are delivered, and reset by a resolution.
 */

const TABLE = 'threadline-state';
const clock = { now: () => new Date('2025-06-10T12:00:00.000Z') };
const at = (minute: number) => `2025-06-10T09:${String(minute).padStart(2, '0')}:00.000Z`;

const local = useLocalStore(TABLE);

const receive = (e: Envelope) => receiveEnvelope({ store: local.store, clock, ids: randomIds }, e);

/** Three messages of one phone number: WhatsApp, then SMS, then WhatsApp again. */
function journey(phone: string): Envelope[] {
  const message = (id: string, minute: number, channel: 'whatsapp' | 'sms') =>
    inboundText({
      id: `${channel}:msg:${phone}-${id}`,
      provider: channel === 'sms' ? 'twilio' : 'whatsapp',
      channel,
      providerMessageId: `${phone}-${id}`,
      occurredAt: at(minute),
      customer: { kind: 'phone', value: phone },
    });
  return [message('a', 0, 'whatsapp'), message('b', 5, 'sms'), message('c', 10, 'whatsapp')];
}

async function stateOf(phone: string): Promise<{ conversationId: string; state: ConversationState }> {
  const customerId = await local.store.findCustomerId({ kind: 'phone', value: phone }, { consistent: true });
  const profile = customerId ? await local.store.getProfileState(customerId) : undefined;
  const conversationId = profile?.openConversationId ?? profile?.lastConversationId ?? '';
  const kept = await local.store.getConversationState(conversationId);
  if (!kept) throw new Error(`no conversation for ${phone}`);
  return { conversationId, state: kept.state };
}

describe('the conversation state (dynalite)', () => {
  it('is the same in order, in reverse order, and with every message delivered twice', async () => {
    for (const e of journey('+14155550101')) await receive(e);
    for (const e of journey('+14155550102').reverse()) await receive(e);
    for (const e of [...journey('+14155550103'), ...journey('+14155550103')]) await receive(e);

    const expected = { inboundSince: { whatsapp: at(0), sms: at(5) } };
    for (const phone of ['+14155550101', '+14155550102', '+14155550103']) {
      const { state } = await stateOf(phone);
      expect(state, phone).toMatchObject(expected);
      expect(state.stateFrom).toBe(state.createdAt);
    }
  });

  it('starts a new episode when the conversation is resolved', async () => {
    const phone = '+14155550104';
    const [first] = journey(phone);
    if (!first) throw new Error('no message');
    await receive(first);
    const { conversationId } = await stateOf(phone);
    await local.store.markHumanReplied(conversationId, at(1));
    // One message hands off; another routed with it finds it handed off; the first's redelivery goes on.
    expect(
      await local.store.markEscalated(conversationId, { at: at(1), itemId: 'whatsapp:x', queue: 'general' }),
    ).toBe(true);
    expect(
      await local.store.markEscalated(conversationId, { at: at(2), itemId: 'whatsapp:y', queue: 'billing' }),
    ).toBe(false);
    expect(
      await local.store.markEscalated(conversationId, { at: at(3), itemId: 'whatsapp:x', queue: 'general' }),
    ).toBe(true);
    expect((await stateOf(phone)).state).toMatchObject({
      escalatedAt: at(1),
      escalatedItemId: 'whatsapp:x',
      escalatedQueue: 'general',
    });
    // A hand-off anew (its queue left the policy), over the escalation it read.
    const anew = { at: at(4), itemId: 'whatsapp:z', queue: 'billing', seen: 'whatsapp:x' };
    expect(await local.store.markEscalated(conversationId, anew)).toBe(true);
    expect((await stateOf(phone)).state).toMatchObject({
      escalatedAt: at(1),
      escalatedItemId: 'whatsapp:z',
      escalatedQueue: 'billing',
    });
    await local.repos.conversations.resolveConversation(conversationId, 'ana', at(20));
    expect((await stateOf(phone)).state).toEqual({
      createdAt: clock.now().toISOString(),
      stateFrom: clock.now().toISOString(),
      inboundSince: {},
    });
    // The customer writes again within the reopen window: the episode starts with that message.
    await receive(
      inboundText({
        id: 'whatsapp:msg:again',
        providerMessageId: 'again',
        occurredAt: at(30),
        customer: { kind: 'phone', value: phone },
      }),
    );
    // A message from before the resolution that arrives after that one does not join the new episode.
    // (Had it come first, it would have reopened the conversation: `late-reopen.test.ts`.)
    const late = journey(phone)[1];
    if (late) await receive(late);
    const after = await stateOf(phone);
    expect(after.conversationId).toBe(conversationId);
    expect(after.state.inboundSince).toEqual({ whatsapp: at(30) });
  });
});

describe("the customer's turns, routing's AI answer limit (dynalite)", () => {
  /** The resolver with routing on (a stub: the count is the touch's), as the runtime wires it. */
  const receiveRouted = (e: Envelope) =>
    receiveEnvelope(
      { store: local.store, clock, ids: randomIds, route: async () => ({ routed: true, replied: true }) },
      e,
    );

  it('counts each message once, in any order and however often it is delivered', async () => {
    for (const e of journey('+14155550201')) await receiveRouted(e);
    for (const e of journey('+14155550202').reverse()) await receiveRouted(e);
    for (const e of [...journey('+14155550203'), ...journey('+14155550203')]) await receiveRouted(e);
    for (const phone of ['+14155550201', '+14155550202', '+14155550203']) {
      expect((await stateOf(phone)).state.customerTurns, phone).toBe(3);
    }
    // Without routing, nothing is counted.
    for (const e of journey('+14155550204')) await receive(e);
    expect((await stateOf('+14155550204')).state.customerTurns).toBeUndefined();
  });

  it('starts again from an agent reply, a resolve and a reopen', async () => {
    const phone = '+14155550205';
    const message = (id: string, minute: number) =>
      inboundText({
        id: `whatsapp:msg:${phone}-${id}`,
        providerMessageId: `${phone}-${id}`,
        occurredAt: at(minute),
        customer: { kind: 'phone', value: phone },
      });
    await receiveRouted(message('a', 0));
    await receiveRouted(message('b', 1));
    const { conversationId } = await stateOf(phone);
    expect((await stateOf(phone)).state.customerTurns).toBe(2);
    await local.store.markHumanReplied(conversationId, at(2));
    expect((await stateOf(phone)).state.customerTurns).toBeUndefined();
    await receiveRouted(message('c', 3));
    expect((await stateOf(phone)).state.customerTurns).toBe(1);
    await local.repos.conversations.resolveConversation(conversationId, 'ana', at(20));
    expect((await stateOf(phone)).state.customerTurns).toBeUndefined();
    // The customer writes again within the reopen window: the reopened conversation counts from one.
    await receiveRouted(message('d', 30));
    const reopened = await stateOf(phone);
    expect(reopened.conversationId).toBe(conversationId);
    expect(reopened.state.customerTurns).toBe(1);
    // Reopened by hand after another resolve: from none.
    await receiveRouted(message('e', 31));
    await local.repos.conversations.resolveConversation(conversationId, 'ana', at(40));
    await local.repos.conversations.reopenConversation(conversationId, 'ana', at(41));
    expect((await stateOf(phone)).state.customerTurns).toBeUndefined();
  });
});
