import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { nextConversationId } from '#shared/domain/conversation.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { GatheringQueue } from '../../support/gathering-queue.js';
import { DEFAULT_AGENT_TOKEN, SECRETS, startTestRuntime } from '../../support/runtime.js';
import { type Item, inspectionClient, scanTable } from '../../support/table-snapshot.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappText } from '../../support/webhooks.js';

const TABLE = 'threadline';
const ofEntity = (items: Item[], entity: string) => items.filter((item) => item.entity === entity);
/** A string set attribute as a sorted list. */
const asList = (value: unknown) => (value instanceof Set ? [...value].map(String).sort() : []);

/**
 * Concurrency through the local runtime's HTTP server, over real dynalite. The webhooks' queue gathers
 * the concurrent requests' envelopes into one send, so the resolver applies them ten at a time in
 * parallel (one batch, Promise.all): the races below happen on every run, not only on lucky timing.
 */
describe('concurrent deliveries through the local runtime', () => {
  let runtime: LocalRuntime | undefined;
  let inspect: DynamoDBClient | undefined;

  const start = async (expected: number) => {
    let gathering: GatheringQueue | undefined;
    runtime = await startTestRuntime({
      wrapInboundQueue: (queue) => {
        gathering = new GatheringQueue(queue, expected);
        return gathering;
      },
    });
    inspect = inspectionClient(runtime.dynamoEndpoint);
    return { runtime, inspect, gathering: gathering as GatheringQueue };
  };

  afterEach(async () => {
    inspect?.destroy();
    await runtime?.close();
    runtime = undefined;
    inspect = undefined;
  }, 60_000);

  it('50 concurrent deliveries of the same signed WhatsApp webhook make exactly one timeline item', async () => {
    const { runtime, inspect, gathering } = await start(50);
    const request = signedMeta(
      runtime.url,
      '/webhooks/whatsapp',
      whatsappText({
        from: '14155550155',
        name: 'Sam',
        messages: [{ id: 'wamid.SAME', at: new Date().toISOString(), text: 'Where is my order?' }],
      }),
      SECRETS.meta,
    );
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(request)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    // All 50 reached the queue: the resolver, not the webhook, is what makes them one.
    expect(gathering.envelopes).toBe(50);
    await runtime.idle();

    const items = await scanTable(inspect, TABLE);
    expect(ofEntity(items, 'timeline').map((i) => i.id)).toEqual(['whatsapp:wamid.SAME']);
    expect(ofEntity(items, 'identity').map((i) => i.value)).toEqual(['+14155550155']);
    const [identity] = ofEntity(items, 'identity');
    expect(ofEntity(items, 'customer').map((c) => c.id)).toEqual([identity?.customerId]);
    expect(ofEntity(items, 'conversation')).toHaveLength(1);
    expect(runtime.deadLetter.messages()).toEqual([]);

    // And the agent sees one message.
    const res = await fetch(`${runtime.url}/api/customers/${String(identity?.customerId)}/timeline`, {
      headers: { Authorization: `Bearer ${DEFAULT_AGENT_TOKEN}` },
    });
    const timeline = (await res.json()) as { items: Array<{ type: string }> };
    expect(timeline.items.filter((i) => i.type === 'message')).toHaveLength(1);
  }, 60_000);

  it('concurrent first messages of one new person, on WhatsApp and SMS, make one customer and one conversation', async () => {
    const WHATSAPP = 12;
    const SMS = 8;
    const { runtime, inspect, gathering } = await start(WHATSAPP + SMS);
    const base = Date.now() - 60_000;
    const requests = [
      ...Array.from({ length: WHATSAPP }, (_, i) =>
        signedMeta(
          runtime.url,
          '/webhooks/whatsapp',
          whatsappText({
            from: '14155550166',
            name: 'Lee',
            messages: [
              { id: `wamid.FIRST${i}`, at: new Date(base + i * 1000).toISOString(), text: `message ${i}` },
            ],
          }),
          SECRETS.meta,
        ),
      ),
      ...Array.from({ length: SMS }, (_, i) =>
        signedTwilio(
          `${runtime.url}/webhooks/twilio/sms`,
          twilioSms({ sid: `SM0000000000000000000000000FIRST${i}`, from: '+14155550166', text: `sms ${i}` }),
          SECRETS.twilio,
        ),
      ),
    ];
    const answers = await Promise.all(requests.map((request) => deliver(request)));
    expect(answers.map((a) => a.status)).toEqual(Array(WHATSAPP + SMS).fill(200));
    expect(gathering.envelopes).toBe(WHATSAPP + SMS);
    await runtime.idle();

    const items = await scanTable(inspect, TABLE);
    // One identity, one customer (no orphan profile from a lost claim), one conversation.
    const identities = ofEntity(items, 'identity');
    expect(identities.map((i) => i.value)).toEqual(['+14155550166']);
    const customerId = identities[0]?.customerId;
    const customers = ofEntity(items, 'customer');
    expect(customers.map((c) => c.id)).toEqual([customerId]);
    const conversations = ofEntity(items, 'conversation');
    expect(conversations.map((c) => c.customerId)).toEqual([customerId]);
    const conversationId = conversations[0]?.id;
    // Every message once, all on that customer's timeline, in that conversation.
    const timeline = ofEntity(items, 'timeline');
    expect(timeline).toHaveLength(WHATSAPP + SMS);
    expect(new Set(timeline.map((t) => t.id)).size).toBe(WHATSAPP + SMS);
    expect(new Set(timeline.map((t) => t.customerId))).toEqual(new Set([customerId]));
    expect(new Set(timeline.map((t) => t.conversationId))).toEqual(new Set([conversationId]));
    const [profile] = customers;
    // The conversation is not in a profile set, nor in a membership item: it is the customer's first,
    // whose id follows from theirs (later conversations get a membership item).
    expect(profile?.conversationIds).toBeUndefined();
    expect(conversationId).toBe(nextConversationId(String(customerId), undefined));
    expect(ofEntity(items, 'customer_conversation')).toEqual([]);
    // The name came with the profile's first write, and indexes it.
    expect(profile?.name).toBe('Lee');
    expect(typeof profile?.gsi1pk).toBe('string');
    expect(asList(profile?.channels)).toEqual(['sms', 'whatsapp']);
    expect(profile?.openConversationId).toBe(conversationId);
    expect(runtime.deadLetter.messages()).toEqual([]);
  }, 60_000);
});
