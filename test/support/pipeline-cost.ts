import type { LocalRuntime } from '#shared/local/runtime.js';
import { type CapacityFigures, type CapacityMeter, seedItems } from './capacity-meter.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from './webhooks.js';

/** A customer on WhatsApp whose messages go through the whole local pipeline, one at a time. */
export interface PipelineCustomer {
  phone: string;
  customerId: string;
  conversationId: string;
}

/** What `messageCost` needs of the running pipeline. */
export interface PipelineProbe {
  runtime: LocalRuntime;
  meter: CapacityMeter;
  metaSecret: string;
  table: string;
}

let sequence = 0;

async function post(probe: PipelineProbe, payload: unknown): Promise<void> {
  const res = await deliver(signedMeta(probe.runtime.url, '/webhooks/whatsapp', payload, probe.metaSecret));
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.body}`);
  await probe.runtime.idle();
}

/** Sends one WhatsApp message from `phone` through the webhook and waits until the pipeline is quiet. */
export async function sendWhatsApp(
  probe: PipelineProbe,
  phone: string,
  text: string,
  at = new Date().toISOString(),
): Promise<string> {
  sequence += 1;
  const id = `wamid.COST${process.pid}x${sequence}`;
  await post(probe, whatsappText({ from: phone, name: 'Paula Cost', messages: [{ id, at, text }] }));
  return id;
}

/** The first message of a new customer; answers where the customer and their conversation are. */
export async function newCustomer(
  probe: PipelineProbe,
  phone: string,
  text: string,
): Promise<PipelineCustomer> {
  await sendWhatsApp(probe, phone, text);
  const customerId = await probe.runtime.store.customers.findCustomerId(
    { kind: 'phone', value: `+${phone}` },
    { consistent: true },
  );
  const customer = customerId ? await probe.runtime.store.customers.getCustomer(customerId) : undefined;
  if (!customer?.openConversationId) throw new Error(`no open conversation for +${phone}`);
  return { phone, customerId: customer.id, conversationId: customer.openConversationId };
}

/**
 * One routed message the AI answers, end to end: the webhook, resolver, routing, the AI's reply, the
 * sender, then the provider's `delivered` status for the reply. Answers what it cost in DynamoDB.
 */
export async function messageCost(
  probe: PipelineProbe,
  customer: PipelineCustomer,
  text: string,
): Promise<CapacityFigures & { aiReplied: boolean }> {
  const before = probe.runtime.outbox.entries().length;
  probe.meter.reset();
  await sendWhatsApp(probe, customer.phone, text);
  const sent = probe.runtime.outbox.entries().slice(before);
  const reply = sent.find((e) => e.message.author.kind === 'ai');
  if (reply) {
    const status = whatsappStatus({
      id: reply.providerMessageId,
      status: 'delivered',
      at: new Date().toISOString(),
      recipient: customer.phone,
      callbackData: reply.replyKey,
    });
    await post(probe, status);
  }
  return { ...probe.meter.figures(), aiReplied: reply !== undefined };
}

/**
 * Writes `count` older timeline items straight into the customer's partition (BatchWriteItem, not
 * webhooks): inbound questions, each with its routing decision and the AI's delivered answer, in the
 * customer's open conversation, all before now. Raw payloads ride on the inbound items, as they do
 * for small webhooks.
 */
export async function seedHistory(
  probe: PipelineProbe,
  client: Parameters<typeof seedItems>[0],
  customer: PipelineCustomer,
  count: number,
  options: { from?: string } = {},
): Promise<void> {
  // Two hours ago by default, 100 ms apart; from a given time, 2 ms apart.
  const start = options.from ? Date.parse(options.from) : Date.now() - 2 * 3_600_000;
  const step = options.from ? 2 : 100;
  const items: Array<Record<string, unknown>> = [];
  for (let i = 0; items.length < count; i++) {
    const at = new Date(start + i * step).toISOString();
    const base = {
      entity: 'timeline',
      at,
      customerId: customer.customerId,
      conversationId: customer.conversationId,
      channel: 'whatsapp',
    };
    const inboundId = `whatsapp:wamid.SEED${i}`;
    const pk = `CUSTOMER#${customer.customerId}`;
    items.push({
      ...base,
      pk,
      sk: `TIMELINE#${at}#${inboundId}`,
      id: inboundId,
      type: 'message',
      direction: 'inbound',
      providerMessageId: `wamid.SEED${i}`,
      contentType: 'text',
      text: `Old question number ${i} about my order`,
      from: { kind: 'phone', value: `+${customer.phone}` },
      raw: JSON.stringify({ seed: i, padding: 'p'.repeat(600) }),
    });
    items.push({
      ...base,
      pk,
      sk: `TIMELINE#${at}#route:${inboundId}`,
      id: `route:${inboundId}`,
      type: 'event',
      event: 'routed',
      data: {
        target: 'ai',
        queue: 'general',
        reason: 'routine',
        detail: 'the AI answers',
        afterHours: false,
        itemId: inboundId,
      },
    });
    const replyAt = new Date(start + i * step + step / 2).toISOString();
    items.push({
      ...base,
      at: replyAt,
      pk,
      sk: `TIMELINE#${replyAt}#reply:seed${i}`,
      id: `reply:seed${i}`,
      type: 'message',
      direction: 'outbound',
      text: `Old answer number ${i}`,
      status: 'delivered',
      statusRank: 2,
      data: { author: { kind: 'ai', id: 'responder' } },
    });
  }
  await seedItems(client, probe.table, items.slice(0, count));
}
