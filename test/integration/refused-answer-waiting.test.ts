import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelSender } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { CrashAfter, type WriteInput } from '../support/crash-after.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = agentToken('refused-waiting-token');
const HANDED_OFF = /^Hand-off \(ai_failed\): the AI's answer could not be delivered on whatsapp \(131026\)/;

/** A write of the conversation's owed hand-off: recording it (`SET handOffOwed =`), or marking it made. */
const isOwedMark = (what: string) => (input: WriteInput) =>
  String(input.Key?.pk ?? '').startsWith('CONVERSATION#') &&
  (input.UpdateExpression ?? '').startsWith(`SET handOffOwed${what}`);

/**
 * The AI's answer refused for good at the send while the wait of the message it answers still runs
 * (the message reopened the conversation: its touch started the wait, which only the answer's send
 * would have ended). The wait is the customer's already; a person must still be handed the
 * conversation, once, however often the message or the reply comes again, and after a crash right
 * after the write that records the hand-off owed. Through the local runtime on dynalite.
 */
describe('local runtime: an AI answer refused while its message still waits', () => {
  const time = new ManualTimers(Date.parse('2026-03-07T10:00:00.000Z'));
  const marks = { owed: isOwedMark(' ='), made: isOwedMark('.made') };
  let after: keyof typeof marks = 'owed';
  const crash = new CrashAfter((input) => marks[after](input));
  const refused = new Set<string>();
  const whatsapp = new LocalOutbox().sender();
  const sender: ChannelSender = {
    send: async (message) => {
      if (!refused.has(message.to.value)) return whatsapp.send(message);
      throw new PermanentSendError('recipient unreachable', '131026');
    },
  };
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      senders: { whatsapp: sender },
      env: { AGENT_TOKENS: `agent-refused:${TOKEN}` },
      dynamoClient: (client) => crash.attach(client),
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { timeline } = customerReads(api);
  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const postLater = async (payload: unknown) => {
    time.advance(60_000);
    await post(payload);
  };
  const message = (phone: string, id: string, text: string) => {
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    return { at, body: whatsappText({ from: phone, name: 'Rita Reopen', messages: [{ id, at, text }] }) };
  };
  /** Answered by the AI, resolved by an agent; the customer's next message reopens it. */
  const answeredAndResolved = async (phone: string, id: string) => {
    await post(message(phone, id, 'How long does shipping take?').body);
    const conversationId = await openConversationOf(runtime, phone);
    expect((await runtime.store.conversations.getConversation(conversationId))?.waitingSince).toBeUndefined();
    await api('POST', `/api/conversations/${conversationId}/resolve`, {});
    return conversationId;
  };
  /** Waiting from `at` in the policy's queue, nobody's; one hand-off note, one `assigned` event. */
  const expectHandedOffOnce = async (phone: string, conversationId: string, at: string) => {
    expect(await openConversationOf(runtime, phone)).toBe(conversationId);
    const conversation = await runtime.store.conversations.getConversation(conversationId);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const items = await timeline(String(conversation?.customerId));
    const notes = items.filter((i) => i.type === 'note' && String(i.text).includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([expect.stringMatching(HANDED_OFF)]);
    const assigned = items.filter((i) => i.type === 'event' && i.event === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general', agentId: null } });
  };

  it('hands the reopened conversation to a person, once however often the message comes', async () => {
    const phone = '15550730001';
    const conversationId = await answeredAndResolved(phone, 'wamid.REFUSEDWAIT1a');
    refused.add(`+${phone}`);
    const reopen = message(phone, 'wamid.REFUSEDWAIT1b', 'And to Spain?');
    await post(reopen.body);
    // Delivered again, a minute apart each (a hand-off made again would be timed anew).
    await postLater(reopen.body);
    await postLater(reopen.body);
    await expectHandedOffOnce(phone, conversationId, reopen.at);
  });

  for (const [n, at] of [
    [2, 'owed'],
    [3, 'made'],
  ] as const) {
    it(`hands it off once after a crash right after the hand-off's mark (${at})`, async () => {
      const phone = `1555073000${n}`;
      const conversationId = await answeredAndResolved(phone, `wamid.REFUSEDWAIT${n}a`);
      refused.add(`+${phone}`);
      const reopen = message(phone, `wamid.REFUSEDWAIT${n}b`, 'And to Spain?');
      after = at;
      const before = crash.crashes;
      crash.armed = true;
      await post(reopen.body);
      expect(crash.crashes - before, `died once, after the mark (${at})`).toBe(1);
      // The reply's next delivery (the sender's, which finds it refused) completed it; the message's
      // redelivery changes nothing.
      await postLater(reopen.body);
      await expectHandedOffOnce(phone, conversationId, reopen.at);
    });
  }
});
