import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { messageItemId } from '#shared/domain/resolution.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DEFAULT_AGENT_TOKEN, SECRETS, startTestRuntime } from '../support/runtime.js';
import { scanTable } from '../support/table-snapshot.js';
import { deliver, signedTwilio, twilioSms } from '../support/webhooks.js';
import { envelope } from '../unit/fakes/envelopes.js';
import { journey } from '../unit/fakes/journey.js';

describe('a provider message posted again later is one timeline item', () => {
  let runtime: LocalRuntime;
  let now = Date.parse('2026-03-01T10:00:00.000Z');

  beforeAll(async () => {
    runtime = await startTestRuntime({ clock: { now: () => new Date(now) } });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, {
      headers: { authorization: `Bearer ${DEFAULT_AGENT_TOKEN}` },
    });
    return (await res.json()) as T;
  };

  it('stores the same Twilio MessageSid, received seconds apart, once with the first receipt time', async () => {
    const params = twilioSms({
      sid: 'SMredelivered0001',
      from: '+14155550199',
      text: 'Is my order shipped?',
    });
    const url = `${runtime.url}/webhooks/twilio/sms`;
    expect((await deliver(signedTwilio(url, params, SECRETS.twilio))).status).toBe(200);
    await runtime.idle();
    now += 3_000;
    expect((await deliver(signedTwilio(url, params, SECRETS.twilio))).status).toBe(200);
    await runtime.idle();

    const found = await api<{ items: Customer[] }>(`/api/customers?q=${encodeURIComponent('+14155550199')}`);
    expect(found.items).toHaveLength(1);
    const id = found.items[0]?.id;
    const timeline = await api<{ items: TimelineItem[] }>(`/api/customers/${id}/timeline`);
    const messages = timeline.items.filter((i) => i.type === 'message');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.at).toBe('2026-03-01T10:00:00.000Z');
  });
});

/** The journey on every channel, with a reaction (an event keyed on its own provider id). */
const everyChannel: Envelope[] = [
  ...journey,
  envelope({
    id: 'messenger:msg:m_1',
    provider: 'meta',
    channel: 'messenger',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'm_1',
    occurredAt: '2025-06-10T14:00:00.000Z',
    receivedAt: '2025-06-10T14:00:01.000Z',
    rawRef: 'test#/',
    customer: { kind: 'messenger', value: '110000000000001:2400000000000001' },
    contentType: 'text',
    text: 'Hello from Messenger',
  }),
  envelope({
    id: 'whatsapp:reaction:wamid.R1',
    provider: 'whatsapp',
    channel: 'whatsapp',
    kind: 'reaction',
    providerMessageId: 'wamid.R1',
    targetMessageId: 'wamid.1',
    emoji: '👍',
    occurredAt: '2025-06-10T15:00:00.000Z',
    receivedAt: '2025-06-10T15:00:01.000Z',
    rawRef: 'test#/',
    customer: { kind: 'phone', value: '+14155550100' },
  }),
];

/** The same envelope delivered again `ms` later, as a provider that stamps it on receipt would. */
function later(e: Envelope, ms: number): Envelope {
  const shift = (iso: string) => new Date(Date.parse(iso) + ms).toISOString();
  return { ...e, occurredAt: shift(e.occurredAt), receivedAt: shift(e.receivedAt) } as Envelope;
}

describe('any envelope delivered again later, on every channel, is one item with the first time', () => {
  it('holds for any choice of redeliveries and delays, on the DynamoDB repositories', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            index: fc.integer({ min: 0, max: everyChannel.length - 1 }),
            ms: fc.integer({ min: 1, max: 3 * 24 * 3600 * 1000 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (again) => {
          const dynamo = await startLocalDynamo({ tableName: 'threadline' });
          try {
            const store = storePorts(dynamoRepositories(documentClient(dynamo.client), 'threadline'));
            let n = 0;
            const deps = {
              store,
              clock: { now: () => new Date('2025-06-20T00:00:00.000Z') },
              ids: { customerId: () => `cu_${++n}` },
            };
            for (const e of everyChannel) await receiveEnvelope(deps, e);
            for (const { index, ms } of again)
              await receiveEnvelope(deps, later(everyChannel[index] as Envelope, ms));
            const items = (await scanTable(dynamo.client, 'threadline')).filter(
              (i) => i.entity === 'timeline',
            );
            for (const e of everyChannel) {
              const id = e.kind === 'message' ? messageItemId(e) : e.id;
              expect(items.filter((i) => i.id === id).map((i) => i.at)).toEqual([e.occurredAt]);
            }
            expect(items).toHaveLength(everyChannel.length);
          } finally {
            await dynamo.close();
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 120_000);
});
