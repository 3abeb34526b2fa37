import { describe, expect, it } from 'vitest';
import { DELETION_RELOOK_DELAY_S } from '#shared/domain/deletion.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { DynamoGate } from '../support/dynamo-gate.js';
import { stillTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { runtimeMeter, useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, waitUntil, whatsappBody, whatsappText } from '../support/webhooks.js';

const TEXT = 'My account number is 12345678';

/** A WhatsApp message and, in the same webhook, (`revoke`) its deletion. */
function messageAndRevoke(from: string, id: string, at: number, revoke: boolean) {
  const message = { from, id, timestamp: String(at - 60), type: 'text', text: { body: TEXT } };
  const deletion = {
    from,
    id: `${id}.revoke`,
    timestamp: String(at - 30),
    type: 'revoke',
    revoke: { original_message_id: id },
  };
  return whatsappBody({
    contacts: [{ profile: { name: 'Dana' }, wa_id: from }],
    messages: revoke ? [message, deletion] : [deletion],
  });
}

/**
 * A deletion that comes before its message, processed at the same moment as the message (the queue
 * keeps no order; a batch's records run in parallel): the message read its identity before the deletion
 * marked it, and is written after the deletion's second look. The deletion, having found nothing, looks
 * again `DELETION_RELOOK_DELAY_S` later (a delayed message on the resolver's queue) and redacts it. The
 * interleaving is forced by a gate on the runtime's DynamoDB client; the queue's time moves by hand.
 */
describe('local runtime: a deletion and its message processed at the same moment', () => {
  const gate = new DynamoGate();
  const meter = runtimeMeter();
  const queueTime = new SteppedTimers();
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRETS.meta },
    clock: { now: () => new Date(queueTime.now()) },
    queue: { timers: queueTime },
    timers: stillTimers(),
    dynamoClient: (client) => meter.dynamoClient(gate.attach(client)),
  });

  const post = async (body: unknown) => {
    const answer = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(answer.status).toBe(200);
  };
  const messages = async (phone: string) => {
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    if (!customerId) throw new Error('no customer');
    const { items } = await runtime.store.timeline.timeline(customerId, { limit: 50 });
    return items.filter((item): item is TimelineItem => item.type === 'message');
  };
  const settled = () => {
    const depth = runtime.inbound.depth();
    return depth.visible === 0 && depth.inFlight === 0;
  };

  it('redacts the message written after both its looks, at its later look', async () => {
    const phone = '16505550801';
    const nowS = Math.floor(queueTime.now() / 1000);
    // A returning customer: the identity is known, so the message and its deletion resolve at once.
    const first = { id: 'wamid.race-first', at: new Date((nowS - 300) * 1000).toISOString(), text: 'Hi' };
    await post(whatsappText({ from: phone, messages: [first] }));
    await runtime.idle();

    // Held: the message's timeline write (its identity read before it) and the deletion's identity mark
    // (until the message read the identity without it). The deletion touches no conversation (it changes
    // its message only), so after its second look it may make no call more: its later look, queued
    // only once both looks found nothing, says it is done.
    const order: string[] = [];
    gate.hold((call) => {
      let held: string | undefined;
      if (call.operation === 'PutItem' && call.body.includes(TEXT)) held = 'message write';
      else if (call.operation === 'UpdateItem' && call.body.includes('SET deletionMarkedUntil'))
        held = 'mark';
      if (held) order.push(held);
      return held !== undefined;
    }, 2);
    await post(messageAndRevoke(phone, 'wamid.race-1', nowS, true));
    await gate.arrived(2);
    expect([...order].sort()).toEqual(['mark', 'message write']);
    gate.release(order.indexOf('mark'));
    // Done with both looks: it queued its later look (the envelope again, with the time of its mark).
    const relooking = () => runtime.inbound.messages().some((m) => m.body.includes('"markedAt"'));
    await waitUntil(relooking, 'the deletion’s later look queued');
    // The deletion looked twice and found nothing; now the message is written, by its key, with its words.
    gate.release(order.indexOf('message write'));
    await waitUntil(async () => (await messages(phone)).length === 2, 'the message is written');
    await waitUntil(settled, 'the batch is done');
    const raced = (await messages(phone)).find((item) => item.providerMessageId === 'wamid.race-1');
    expect(raced?.text).toBe(TEXT);

    // The later look: one delayed message on the resolver's queue, found once its delay has passed.
    meter.reset();
    queueTime.advance(DELETION_RELOOK_DELAY_S * 1000);
    await runtime.idle();
    const figures = meter.figures();
    const after = (await messages(phone)).find((item) => item.providerMessageId === 'wamid.race-1');
    expect(after).toMatchObject({ deleted: true });
    expect(after?.text).toBeUndefined();
    expect(JSON.stringify(await messages(phone))).not.toContain('12345678');
    // The conversation's preview is its first message's ("Hi"): the check on it is one refused write.
    const conversation = await runtime.store.conversations.getConversation(String(after?.conversationId));
    expect(conversation?.preview).toBe('Hi');
    // What the later look cost (the meter counts calls that succeed): the identity, the profile, the
    // reference, the customer's merges, the look, the redaction; then for its edits the deletion's note,
    // its mark on the reference, the merges read again and the look for them; nothing placed, touched or
    // routed.
    expect(figures.byCommand).toEqual({
      GetItemCommand: 5,
      QueryCommand: 2,
      UpdateItemCommand: 2,
      PutItemCommand: 1,
    });
    expect(runtime.deadLetter.messages()).toEqual([]);
  });

  it('looks again once only: a deletion whose message never comes leaves nothing queued after its look', async () => {
    const phone = '16505550802';
    const nowS = Math.floor(queueTime.now() / 1000);
    await post(messageAndRevoke(phone, 'wamid.race-2', nowS, false));
    await waitUntil(settled, 'the deletion is applied');
    expect(runtime.inbound.messages()).toHaveLength(1);
    queueTime.advance(DELETION_RELOOK_DELAY_S * 1000);
    await runtime.idle();
    expect(runtime.inbound.messages()).toEqual([]);
    // The message, when it comes, reads the mark its deletion left on the identity: stored redacted.
    await post(
      whatsappText({
        from: phone,
        messages: [{ id: 'wamid.race-2', at: new Date((nowS - 60) * 1000).toISOString(), text: TEXT }],
      }),
    );
    await runtime.idle();
    expect(await messages(phone)).toEqual([expect.objectContaining({ deleted: true })]);
    expect(JSON.stringify(await messages(phone))).not.toContain('12345678');
  });
});
