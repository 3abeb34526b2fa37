import { describe, expect, it } from 'vitest';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import type { OutboxEntry } from '#shared/domain/outbox.js';
import { replyItem } from '#shared/domain/replies.js';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { Keys, replyTimelineKey } from '#shared/store/keys.js';
import { type RecordedCall, recordInto } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'status-cost-secret';
const QUESTION = 'How long does shipping take?';

type Call = RecordedCall;

const sum = (calls: Call[], reads: boolean) =>
  calls.filter((c) => /^(Get|Query)/.test(c.command) === reads).reduce((s, c) => s + c.units, 0);

/**
 * A delivery status that carries the reply's key (WhatsApp `biz_opaque_callback_data`) is one write to
 * the reply's timeline item, with no message reference read or written: counted on the real API
 * (dynalite) through the local runtime. Statuses without a key (channels that cannot carry one, replies
 * sent before keys, a WhatsApp status that left it out) take the reference the sender linked.
 */
describe('local runtime: a keyed delivery status is one write to the reply', () => {
  const calls: Call[] = [];
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: META_SECRET },
    routing: true,
    timers: stillTimers(),
    dynamoClient: recordInto(calls),
  });
  let phone = 447700900300;

  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };

  /** A new customer's question the AI answers: the reply as the outbox got it, and the customer's number. */
  const answered = async (): Promise<{ entry: OutboxEntry; waId: string }> => {
    phone += 1;
    const waId = String(phone);
    const before = runtime.outbox.entries().length;
    const at = new Date().toISOString();
    await post(
      whatsappText({
        from: waId,
        name: 'Sam Status',
        messages: [{ id: `wamid.SC${phone}`, at, text: QUESTION }],
      }),
    );
    const entry = runtime.outbox
      .entries()
      .slice(before)
      .find((e) => e.message.author.kind === 'ai');
    if (!entry) throw new Error('the AI did not answer');
    return { entry, waId };
  };

  const status = (
    entry: OutboxEntry,
    waId: string,
    value: 'sent' | 'delivered' | 'read' | 'failed',
    key?: string,
  ) =>
    whatsappStatus({
      id: entry.providerMessageId,
      status: value,
      at: new Date().toISOString(),
      recipient: waId,
      callbackData: key,
    });

  const replyOf = async (message: OutboundMessage): Promise<TimelineItem | undefined> =>
    // Where the reply is placed: the AI's reply 1 ms after the message it answers.
    runtime.store.timeline.getTimelineItem(
      message.customerId,
      message.placedAt ?? message.at,
      `reply:${message.id}`,
    );

  it('sends the reply with its key and links the message reference, for a status without it', async () => {
    calls.length = 0;
    const { entry } = await answered();
    expect(entry.replyKey).toBe(
      encodeReplyKey({
        customerId: entry.message.customerId,
        at: entry.message.placedAt ?? entry.message.at,
        replyId: entry.message.id,
      }),
    );
    // WhatsApp may leave the key out of a status: one write of the reference, by the sender.
    const ref = calls.filter((c) => c.pk === Keys.messageRef('whatsapp', entry.providerMessageId).pk);
    expect(ref.map((c) => [c.command, c.failed])).toEqual([['UpdateItem', false]]);
    expect(await replyOf(entry.message)).toMatchObject({
      status: 'sent',
      providerMessageId: entry.providerMessageId,
    });
  });

  it('costs sent half a read unit, delivered and read a write unit each, all on the reply', async () => {
    const { entry, waId } = await answered();
    const key = entry.replyKey as string;
    const itemSk = replyTimelineKey(entry.message).sk;
    calls.length = 0;
    for (const value of ['sent', 'delivered', 'read'] as const) await post(status(entry, waId, value, key));
    expect(calls.map((c) => [c.command, c.sk === itemSk ? 'reply' : c.pk, c.failed])).toEqual([
      ['GetItem', 'reply', false],
      ['UpdateItem', 'reply', false],
      ['UpdateItem', 'reply', false],
    ]);
    expect(sum(calls, false)).toBe(2);
    expect(sum(calls, true)).toBe(0.5);
    expect(await replyOf(entry.message)).toMatchObject({ status: 'read' });
  });

  it('keeps statuses forward-only and idempotent when they come again and out of order', async () => {
    const { entry, waId } = await answered();
    const key = entry.replyKey as string;
    await post(status(entry, waId, 'read', key));
    const read = await replyOf(entry.message);
    calls.length = 0;
    await post(status(entry, waId, 'delivered', key));
    await post(status(entry, waId, 'read', key));
    await post(status(entry, waId, 'sent', key));
    const spent = calls.slice();
    expect(await replyOf(entry.message)).toEqual(read);
    // A late status is a failed conditional write and a strong read of the reply; `sent` a read alone.
    expect(spent.map((c) => [c.command, c.failed])).toEqual([
      ['UpdateItem', true],
      ['GetItem', false],
      ['UpdateItem', true],
      ['GetItem', false],
      ['GetItem', false],
    ]);
    expect(spent.every((c) => !c.pk.startsWith('MESSAGE#'))).toBe(true);
  });

  it('lets no forged key write another reply, or create an item', async () => {
    const victim = await answered();
    const attacker = await answered();
    const before = await replyOf(victim.entry.message);
    // A well-formed key naming the victim's reply, with the attacker's message id.
    const forged = encodeReplyKey({
      customerId: victim.entry.message.customerId,
      at: victim.entry.message.placedAt ?? victim.entry.message.at,
      replyId: victim.entry.message.id,
    });
    await post(status(attacker.entry, attacker.waId, 'read', forged));
    expect(await replyOf(victim.entry.message)).toEqual(before);
    // A key naming no reply at all: nothing is created there.
    const nowhere = {
      customerId: victim.entry.message.customerId,
      at: '2020-01-01T00:00:00.000Z',
      replyId: 'rp_none',
    };
    await post(status(attacker.entry, attacker.waId, 'delivered', encodeReplyKey(nowhere)));
    expect(
      await runtime.store.timeline.getTimelineItem(nowhere.customerId, nowhere.at, 'reply:rp_none'),
    ).toBeUndefined();
    // The statuses' own message, the attacker's reply, takes them through its reference (`read`, then
    // `delivered` too late to move it back).
    expect(await replyOf(attacker.entry.message)).toMatchObject({ status: 'read' });
  });

  it('applies a keyless status through the reference of a reply linked before keys', async () => {
    const { entry, waId } = await answered();
    // As the sender did before keys: link the message reference after recording `sent`.
    const item = (await replyOf(entry.message)) as TimelineItem;
    // Linked at its place (an AI reply's is 1 ms after the message it answers, not its `at`).
    await runtime.store.timeline.linkOutbound({ ...item, at: entry.message.placedAt ?? item.at }, 'sent');
    calls.length = 0;
    await post(status(entry, waId, 'delivered'));
    await post(status(entry, waId, 'read'));
    const spent = calls.slice();
    expect(await replyOf(entry.message)).toMatchObject({ status: 'read' });
    // The old path: the reference, then the reply, for each status.
    expect(spent.map((c) => [c.command, c.pk.startsWith('MESSAGE#') ? 'reference' : 'reply'])).toEqual([
      ['UpdateItem', 'reference'],
      ['UpdateItem', 'reply'],
      ['UpdateItem', 'reference'],
      ['UpdateItem', 'reply'],
    ]);
  });

  it('applies a keyless status to a reply sent now, through the reference the sender linked', async () => {
    const { entry, waId } = await answered();
    calls.length = 0;
    await post(status(entry, waId, 'delivered'));
    expect(await replyOf(entry.message)).toMatchObject({ status: 'delivered' });
    await post(status(entry, waId, 'read', entry.replyKey));
    expect(await replyOf(entry.message)).toMatchObject({ status: 'read' });
  });

  /**
   * A reply on the timeline that a sender has claimed and sent, and has not recorded yet (it is between
   * the provider's answer and its write, or died there): its customer's number, the reply, its key.
   */
  const claimedReply = async (id: string) => {
    const { waId } = await answered();
    const phoneNumber = { kind: 'phone' as const, value: `+${waId}` };
    const customerId = await runtime.store.customers.findCustomerId(phoneNumber, { consistent: true });
    const message = OutboundMessageSchema.parse({
      id,
      customerId,
      conversationId: `cv_${id}`,
      at: new Date().toISOString(),
      channel: 'whatsapp',
      to: phoneNumber,
      text: 'On its way',
      author: { kind: 'agent', id: 'agent-1' },
    });
    await runtime.store.timeline.putTimelineItem(replyItem(message), undefined);
    const now = new Date();
    expect(await runtime.store.replies.claimSend(message, now, 30_000)).toBe('claimed');
    const key = encodeReplyKey({ customerId: message.customerId, at: message.at, replyId: message.id });
    const keyed = (wamid: string, value: 'sent' | 'delivered') =>
      whatsappStatus({ id: wamid, status: value, at: now.toISOString(), recipient: waId, callbackData: key });
    return { message, now, keyed };
  };

  it('records the provider id from a `sent` status after a sender crash, so the send is not repeated', async () => {
    const { message, now, keyed } = await claimedReply(`rp_crash${phone}`);
    await post(keyed('wamid.CRASHED', 'sent'));
    expect(await replyOf(message)).toMatchObject({ status: 'sent', providerMessageId: 'wamid.CRASHED' });
    // The sender may still be alive while its lease runs: left to it.
    expect(await runtime.store.replies.claimSend(message, now, 30_000)).toBe('busy');
    // The redelivered reply, once the lease is over, finds it sent, its sender's record not made.
    const later = new Date(now.getTime() + 60_000);
    expect(await runtime.store.replies.claimSend(message, later, 30_000)).toEqual({
      unsettled: 'wamid.CRASHED',
    });
    // Once recorded (by the redelivery, in the sender's stead), it is plainly sent.
    await runtime.store.replies.recordSent(
      message,
      { providerMessageId: 'wamid.CRASHED' },
      later.toISOString(),
    );
    expect(await runtime.store.replies.claimSend(message, later, 30_000)).toBe('sent');
  });

  it('keeps a status that came before the sender recorded the send', async () => {
    const { message, now, keyed } = await claimedReply(`rp_race${phone}`);
    await post(keyed('wamid.RACE', 'delivered'));
    const sent = { providerMessageId: 'wamid.RACE', keyEchoed: true };
    await runtime.store.replies.recordSent(message, sent, now.toISOString());
    expect(await replyOf(message)).toMatchObject({ status: 'delivered', providerMessageId: 'wamid.RACE' });
  });
});
