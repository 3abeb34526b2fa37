import { createHmac } from 'node:crypto';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { systemClock } from '#shared/domain/ports.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { createWhatsAppApp } from '#shared/local/webhook-apps.js';
import { createResolverConsumer } from '#shared/queue/resolver-consumer.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { randomIds } from '#shared/store/ids.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { sqsRecord } from '../support/sqs.js';
import { whatsappText } from '../support/webhooks.js';

const SECRET = 'capacity-secret';

// Public on-demand prices, us-east-1 (per million): DynamoDB write / read request units, SQS
// standard requests, Lambda requests; Lambda duration per GB-second (arm64).
const PRICE = { wru: 0.625, rru: 0.125, sqs: 0.4, lambdaRequests: 0.2, lambdaGbSecond: 0.0000133334 };
const CONNECT_PER_MILLION_CHAT_MESSAGES = 10_000;

function body(i: number): string {
  return JSON.stringify(
    whatsappText({
      from: '16505551234',
      name: 'Returning Customer',
      messages: [
        {
          id: `wamid.CAP${i}`,
          at: new Date((1749416383 + i) * 1000).toISOString(),
          text: `Question number ${i} about my order`,
        },
      ],
    }),
  );
}

/**
 * DynamoDB capacity and SQS requests per inbound message for a returning customer, counted from the
 * ConsumedCapacity the real DynamoDB API (dynalite) reports for every call of an end-to-end run, and
 * turned into dollars per million messages at public prices.
 */
export async function capacityFigures(messages = 200): Promise<void> {
  const dynamo = await startLocalDynamo({ tableName: 'threadline' });
  let wcu = 0;
  let rcu = 0;
  let calls = 0;
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      calls += 1;
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      const units = consumed?.CapacityUnits ?? 0;
      if (/^(Get|Query|Scan|BatchGet)/.test(context.commandName ?? '')) rcu += units;
      else wcu += units;
      return out;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  const store = storePorts(dynamoRepositories(documentClient(dynamo.client), 'threadline'));
  const consume = createResolverConsumer((envelope) =>
    receiveEnvelope({ store, clock: systemClock, ids: randomIds }, envelope),
  );
  let batches = 0;
  const app = createWhatsAppApp({
    queue: {
      enqueue: async (envelopes: readonly Envelope[]) => {
        batches += 1;
        const Records = envelopes.map((e, i) => sqsRecord(`${batches}-${i}`, JSON.stringify(e)));
        const out = await consume({ Records });
        if (out.batchItemFailures.length) throw new Error('resolver failed');
      },
    },
    clock: systemClock,
    appSecret: SECRET,
    verifyToken: 'v',
    maxBodyBytes: 1_000_000,
  });
  const post = async (i: number) => {
    const b = body(i);
    const res = await app.request('/webhooks/whatsapp', {
      method: 'POST',
      headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}` },
      body: b,
    });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  };
  try {
    await post(0); // first contact: the customer exists from here on
    [wcu, rcu, calls] = [0, 0, 0];
    for (let i = 1; i <= messages; i++) await post(i);
    const perWcu = wcu / messages;
    const perRcu = rcu / messages;
    // Per message: the webhook's SendMessageBatch, and (batched by Lambda, 10 to a batch at most) a
    // receive and a delete; counted here at one message per batch, the worst case.
    const sqsRequests = 3;
    // Lambda: two invocations per message (webhook, resolver), ~512 MB for ~30 ms each.
    const lambda = 2 * PRICE.lambdaRequests + 2 * 0.5 * 0.03 * PRICE.lambdaGbSecond * 1_000_000;
    const dollars = perWcu * PRICE.wru + perRcu * PRICE.rru + sqsRequests * PRICE.sqs + lambda;
    console.log(
      `per inbound message, returning customer: ${perWcu.toFixed(2)} write units, ${perRcu.toFixed(2)} read units, ${(calls / messages).toFixed(1)} DynamoDB calls, ${sqsRequests} SQS requests`,
    );
    console.log(
      `≈ $${dollars.toFixed(2)} per million messages (DynamoDB on-demand, SQS, Lambda at public us-east-1 prices) beside Amazon Connect's $${CONNECT_PER_MILLION_CHAT_MESSAGES.toLocaleString('en-US')} per million chat messages`,
    );
  } finally {
    await dynamo.close();
  }
}
