import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ResolverDeps, receiveEnvelope } from '#shared/app/receive-envelope.js';
import { normaliseMetaMessaging } from '#shared/channels/meta/normalise.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { normaliseTwilioMessage } from '#shared/channels/twilio/normalise.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { LocalQueue } from '#shared/local/queue.js';
import { putAll, type Item as RawItem, scanAll } from '#shared/local/table-upgrade.js';
import { createResolverConsumer } from '#shared/queue/resolver-consumer.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { randomIds } from '#shared/store/ids.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoFaults } from '../../support/dynamo-faults.js';
import { ManualTimers } from '../../support/manual-timers.js';
import { firstDifference, type Item, normaliseTable, scanTable } from '../../support/table-snapshot.js';
import {
  instagramText,
  sesReceived,
  twilioSms,
  waitUntil,
  whatsappEcho,
  whatsappStatus,
  whatsappText,
} from '../../support/webhooks.js';

/**
 * "Nothing lost, nothing duplicated": the resolver is crashed right after its k-th DynamoDB write
 * (the write lands, the answer is lost, the record fails), for every k of a clean run of a journey
 * across channels; the queue redelivers the record and the run goes on. Every run must end with the
 * same table as the clean run, item for item, once the run's own randomness (customer ids and the
 * conversation ids derived from them, createdAt) is named after the identities that own it.
 *
 * A crash before write k leaves the table as a crash after write k-1 does (reads change nothing), so
 * crashing after every write also covers crashing before every write.
 */

const TABLE = 'threadline-faults';
const PHONE = '14155550100';
const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function whatsapp(payload: unknown, receivedAt: string): Envelope[] {
  const out = normaliseWhatsApp(payload, { receivedAt, bodySha256: sha(payload) });
  expect(out.rejected).toEqual([]);
  return out.envelopes;
}

async function journey(): Promise<Array<{ name: string; envelopes: Envelope[] }>> {
  const at = (time: string) => `2025-06-10T${time}.000Z`;
  const first = whatsapp(
    whatsappText({
      from: PHONE,
      messages: [{ id: 'wamid.DANA1', at: at('09:00:00'), text: 'My parcel is late' }],
    }),
    at('09:00:01'),
  );
  const sms = (sid: string, text: string, receivedAt: string) =>
    normaliseTwilioMessage(twilioSms({ sid, from: `+${PHONE}`, text }), {
      receivedAt,
      bodySha256: sha([sid, text]),
    });
  const email = async (options: Parameters<typeof sesReceived>[0]) => {
    const out = await normaliseSesNotification(sesReceived(options), {
      receivedAt: options.at,
      snsMessageId: `sns-${options.sesId}`,
    });
    expect(out.rejected).toEqual([]);
    return out.envelopes;
  };
  const instagram = instagramText({
    sender: '9912345',
    mid: 'aWdfZGFuYTE',
    at: at('09:15:00'),
    text: 'Hi! Same person as dana.scully@example.com',
  });
  const ig = normaliseMetaMessaging(instagram, { receivedAt: at('09:15:01'), bodySha256: sha(instagram) });
  expect(ig.rejected).toEqual([]);
  const status = (value: 'sent' | 'delivered' | 'read', time: string) =>
    whatsapp(whatsappStatus({ id: 'wamid.ECHO1', status: value, at: at(time), recipient: PHONE }), at(time));

  return [
    { name: 'WhatsApp text from a new number', envelopes: first },
    {
      name: 'SMS from the same number',
      envelopes: sms('SM00000000000000000000000000000001', 'Any news?', at('09:05:00')),
    },
    {
      name: 'email signed with the phone number',
      envelopes: await email({
        sesId: 'ses-dana-1',
        at: at('09:10:00'),
        from: 'Dana Scully <Dana.Scully@Example.com>',
        messageId: '<dana-1@example.com>',
        text: 'Writing by email now.\n\n--\nDana Scully\n+1 415 555 0100',
      }),
    },
    { name: 'Instagram DM naming the email', envelopes: ig.envelopes },
    { name: 'duplicate delivery of the first WhatsApp text', envelopes: first },
    { name: 'status delivered, before its message', envelopes: status('delivered', '09:21:00') },
    {
      name: 'outbound echo',
      envelopes: whatsapp(
        whatsappEcho({ to: PHONE, id: 'wamid.ECHO1', at: at('09:20:00'), text: 'We are on it' }),
        at('09:20:01'),
      ),
    },
    { name: 'status read', envelopes: status('read', '09:22:00') },
    { name: 'status sent, late', envelopes: status('sent', '09:20:30') },
    {
      name: 'email reply in the same thread',
      envelopes: await email({
        sesId: 'ses-dana-2',
        at: at('09:30:00'),
        from: 'Dana Scully <Dana.Scully@Example.com>',
        messageId: '<dana-2@example.com>',
        inReplyTo: '<dana-1@example.com>',
        text: 'Following up on this.',
      }),
    },
    { name: 'SMS STOP', envelopes: sms('SM00000000000000000000000000000002', 'STOP', at('09:35:00')) },
  ];
}

interface RunResult {
  table: Item[];
  writes: number;
  crashed: boolean;
  crashedOperation: string | undefined;
  deadLettered: number;
  /** Records received more than once. */
  redelivered: number;
  /** The writes made once each step was settled (the clean run says which step a write k belongs to). */
  writesAfterStep: number[];
  /** The table as it stood once each step was settled, as stored (the clean run's, for the crash runs). */
  tableAfterStep: RawItem[][];
}

/** When the queue redelivers the crashed record: before the next event, or after the last one. */
type Redelivery = 'before-next-event' | 'after-last-event';

/** The visibility timeout, in the queue's manual time: nothing is redelivered until it is advanced. */
const VISIBILITY_MS = 30_000;

/**
 * Runs the journey through the resolver consumer on a LocalQueue (SQS semantics) over its own
 * in-memory dynalite, one step at a time. The queue's clock is manual, so a failed record comes back
 * exactly when the test advances it past the visibility timeout: right away, or once every later event
 * of the journey has been applied (as SQS may well do), never at a time the machine's load decides.
 *
 * A crash run starts from the clean run's table as it stood before the step of its crash (`from`): the
 * steps before are the clean run's to the item (nothing crashed in them, nothing waits in the queue),
 * so replaying them again for every k only took time. Writes are counted from there on.
 */
async function run(
  steps: Array<{ envelopes: Envelope[] }>,
  options: {
    crashAfterWrite?: number;
    redelivery?: Redelivery;
    from?: { step: number; table: readonly RawItem[]; writes: number };
  } = {},
): Promise<RunResult> {
  const dynamo = await startLocalDynamo({ tableName: TABLE });
  const from = options.from ?? { step: 0, table: [], writes: 0 };
  await putAll(dynamo.client, TABLE, [...from.table]);
  const crashAfterWrite = options.crashAfterWrite && options.crashAfterWrite - from.writes;
  const faults = new DynamoFaults({ crashAfterWrite });
  faults.attach(dynamo.client);
  const timers = new ManualTimers();
  const deadLetter = new LocalQueue({ name: 'faults-dlq', timers });
  const queue = new LocalQueue({
    name: 'faults-inbound',
    deadLetter,
    visibilityTimeoutMs: VISIBILITY_MS,
    pollIntervalMs: VISIBILITY_MS,
    maxReceiveCount: 4,
    timers,
    log: () => {},
  });
  const deps: ResolverDeps = {
    store: storePorts(dynamoRepositories(documentClient(dynamo.client), TABLE)),
    clock: { now: () => new Date('2025-06-10T12:00:00.000Z') },
    ids: randomIds,
    phone: { defaultRegion: 'US' },
  };
  const consumer = createResolverConsumer((envelope) => receiveEnvelope(deps, envelope));
  let inFlight = 0;
  let redelivered = 0;
  const failed = new Set<string>();
  queue.start(async (event) => {
    inFlight += 1;
    try {
      redelivered += event.Records.filter((r) => Number(r.attributes.ApproximateReceiveCount) > 1).length;
      const response = await consumer(event);
      for (const failure of response.batchItemFailures) failed.add(failure.itemIdentifier);
      return response;
    } finally {
      inFlight -= 1;
    }
  });
  /** Nothing being processed, and whatever is left failed and waits out its visibility timeout. */
  const settled = () =>
    waitUntil(
      () => inFlight === 0 && queue.messages().every((message) => failed.has(message.messageId)),
      'the inbound queue to settle',
    );
  const redeliverAll = async () => {
    for (let round = 0; round < 5 && queue.messages().length > 0; round++) {
      timers.advance(VISIBILITY_MS);
      await settled();
    }
  };
  const writesAfterStep: number[] = [];
  const tableAfterStep: RawItem[][] = [];
  try {
    for (const step of steps.slice(from.step)) {
      await queue.send(step.envelopes.map((envelope) => JSON.stringify(envelope)));
      await settled();
      if (options.redelivery !== 'after-last-event') await redeliverAll();
      writesAfterStep.push(from.writes + faults.writes);
      if (!options.crashAfterWrite) tableAfterStep.push(await scanAll(dynamo.client, TABLE));
    }
    await redeliverAll();
    await deadLetter.idle();
    expect(queue.messages(), 'the inbound queue drained').toEqual([]);
    const table = normaliseTable(await scanTable(dynamo.client, TABLE));
    return {
      table,
      writes: from.writes + faults.writes,
      crashed: faults.crashed,
      crashedOperation: crashAfterWrite ? faults.writeOperation(crashAfterWrite) : undefined,
      deadLettered: deadLetter.messages().length,
      redelivered,
      writesAfterStep,
      tableAfterStep,
    };
  } finally {
    await queue.stop();
    await dynamo.close();
  }
}

/** Runs `task` for each item, at most `limit` at a time, results in order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Runs the journey once per write k of the clean run, crashing after write k: from the clean run's
 * table before the step write k belongs to.
 */
function crashEveryWrite(
  steps: Array<{ envelopes: Envelope[] }>,
  clean: RunResult,
  redelivery: Redelivery,
): Promise<RunResult[]> {
  const ks = Array.from({ length: clean.writes }, (_, i) => i + 1);
  return pool(ks, 3, (k) => {
    const step = clean.writesAfterStep.findIndex((writes) => writes >= k);
    const from =
      step > 0
        ? { step, table: clean.tableAfterStep[step - 1] ?? [], writes: clean.writesAfterStep[step - 1] ?? 0 }
        : undefined;
    return run(steps, { crashAfterWrite: k, redelivery, ...(from ? { from } : {}) });
  });
}

/**
 * What a crash while the outbound echo (an answer from the WhatsApp Business app) is applied may leave
 * different, known and documented (README, "Answers sent outside Threadline"): a crash between the
 * first-response mark and its count loses the count (as for agents' and the AI's first responses), and
 * an echo redelivered after the customer's later messages cannot end the wait it answered (the
 * conversation waits from its oldest unanswered message, not from the first one after the answer).
 * Masked for crashes within that step only: the conversation's wait fields and the day's counters.
 */
function maskLateAnswer(items: Item[]): Item[] {
  const waitFields = new Set(['answeredAt', 'answeredSk', 'waitingSince', 'gsi1sk']);
  return items
    .filter((item) => item.entity !== 'metrics')
    .map((item) =>
      item.entity === 'conversation'
        ? Object.fromEntries(Object.entries(item).filter(([key]) => !waitFields.has(key)))
        : item,
    );
}

/** Whether write k of the clean run belongs to the step named `name`. */
function inStep(clean: RunResult, steps: ReadonlyArray<{ name: string }>, name: string, k: number): boolean {
  const index = steps.findIndex((step) => step.name === name);
  const from = index > 0 ? (clean.writesAfterStep[index - 1] ?? 0) : 0;
  return index >= 0 && k > from && k <= (clean.writesAfterStep[index] ?? 0);
}

/** Every way the crash runs differ from the clean run, after `mask` (identity when there is none). */
function differences(
  clean: RunResult,
  results: readonly RunResult[],
  redelivery: Redelivery,
  mask: (items: Item[], k: number) => Item[] = (items) => items,
): string[] {
  const failures: string[] = [];
  results.forEach((result, index) => {
    const where = `crash after write ${index + 1}/${clean.writes} (${result.crashedOperation}), redelivered ${redelivery}`;
    if (!result.crashed) failures.push(`${where}: the crash did not happen`);
    else if (result.redelivered < 1) failures.push(`${where}: the crashed record was not redelivered`);
    if (result.deadLettered > 0) failures.push(`${where}: ${result.deadLettered} records dead-lettered`);
    const difference = firstDifference(mask(clean.table, index + 1), mask(result.table, index + 1));
    if (difference) failures.push(`${where}: ${difference}`);
  });
  return failures;
}

describe('resolver crashed after its k-th write, for every k: nothing lost, nothing duplicated', () => {
  let steps: Array<{ name: string; envelopes: Envelope[] }>;
  let clean: RunResult;
  let lateRuns: Promise<RunResult[]> | undefined;
  const late = () => {
    lateRuns ??= crashEveryWrite(steps, clean, 'after-last-event');
    return lateRuns;
  };

  beforeAll(async () => {
    steps = await journey();
    clean = await run(steps);
  }, 60_000);

  it('the clean run is the journey meant: three people, every item once, the echo at read', () => {
    const entities = clean.table.map((item) => String(item.entity));
    const count = (entity: string) => entities.filter((e) => e === entity).length;
    expect(count('customer')).toBe(3);
    expect(count('identity')).toBe(3);
    expect(count('conversation')).toBe(3);
    expect(count('timeline')).toBe(7);
    expect(count('suggestion')).toBe(4);
    expect(count('mention')).toBe(2);
    // Two email thread links and one provider reference per timeline item whose key is not the
    // provider's alone (each records where its item is, so a redelivery lands there: the SMS, timed at
    // receipt, and the echo, which also kept the status that came first): the four inbound messages
    // timed by their provider (WhatsApp, two emails, Instagram) are written by their key alone.
    expect(count('message_ref')).toBe(5);
    expect(clean.table.find((item) => item.entity === 'contact_state')).toMatchObject({ blocked: true });
    const echo = clean.table.find((item) => item.id === 'whatsapp:wamid.ECHO1');
    expect(echo).toMatchObject({ status: 'read', direction: 'outbound' });
    const emails = clean.table.filter((item) => item.entity === 'timeline' && item.channel === 'email');
    expect(new Set(emails.map((item) => item.conversationId)).size).toBe(1);
    expect(clean.crashed).toBe(false);
    expect(clean.redelivered).toBe(0);
    expect(clean.deadLettered).toBe(0);
    expect(clean.writes).toBeGreaterThan(20);
  });

  it('converges to the clean run, item for item, when the crashed record comes back before the next event', async () => {
    const results = await crashEveryWrite(steps, clean, 'before-next-event');
    const echo = (items: Item[], k: number) =>
      inStep(clean, steps, 'outbound echo', k) ? maskLateAnswer(items) : items;
    const failures = differences(clean, results, 'before-next-event', echo);
    expect(failures.length, failures.join('\n')).toBe(0);
  }, 120_000);

  // The SMS back after the echo is its conversation's latest inbound message still: its late touches move
  // `lastInboundAt` and `lastInboundChannel` to it, forward only (before, they stayed at the WhatsApp
  // message before it, masked here for that step). An SMS whose first delivery died before its item was
  // written reaches the timeline only after the echo's answer, which therefore did not answer it (it
  // crossed the answer: README, "A message that crosses the answer waits again"): it waits, where in the
  // clean run the echo answered it; its wait is masked for that step.
  it('converges to the clean run when the crashed record comes back after the last event', async () => {
    const results = await late();
    const known = (items: Item[], k: number) =>
      inStep(clean, steps, 'outbound echo', k) || inStep(clean, steps, 'SMS from the same number', k)
        ? maskLateAnswer(items)
        : items;
    const failures = differences(clean, results, 'after-last-event', known);
    expect(failures.length, failures.join('\n')).toBe(0);
    // What the mask hides for the SMS's step: the clean run's answered conversation, or one that waits
    // from the SMS (it crossed the echo's answer), never another wait.
    results.forEach((result, index) => {
      if (!inStep(clean, steps, 'SMS from the same number', index + 1)) return;
      const waits = result.table.filter((item) => item.entity === 'conversation').map((c) => c.waitingSince);
      const cleanWaits = clean.table
        .filter((item) => item.entity === 'conversation')
        .map((c) => c.waitingSince);
      const crossed = cleanWaits.map((w, i) => (waits[i] === w ? w : '2025-06-10T09:05:00.000Z'));
      expect(waits, `crash after write ${index + 1}`).toEqual(crossed);
    });
  }, 120_000);
});
