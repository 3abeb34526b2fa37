import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { Keys } from '#shared/store/keys.js';
import { type MetricsRepository, metricsRepository } from '#shared/store/metrics-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';

const TABLE = 'first-response-count-crash';
const DAY = { from: '2026-11-20', to: '2026-11-20' };
const ASKED = '2026-11-20T10:00:00.000Z';
const AI_AT = '2026-11-20T10:00:05.000Z';
const PERSON_AT = '2026-11-20T10:07:00.000Z';
const MINUTE = 60_000;

/**
 * QA load sweep: a crash between a first response's mark on the conversation and its add to the day's
 * counters lost the count for good (the retry found the mark and added nothing). Each path is crashed
 * right after every write it makes in turn, then retried: the day's counters must say exactly what
 * the conversations do, never less (lost) nor more (added twice).
 */
describe('first-response counters converge after a crash at any write', () => {
  let dynamo: LocalDynamo;
  let metrics: MetricsRepository;
  let doc: ReturnType<typeof documentClient>;
  let faults = new DynamoFaults();
  let next = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: TABLE });
    faults.attach(dynamo.client);
    doc = documentClient(dynamo.client);
    metrics = metricsRepository({ doc, table: TABLE });
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  /**
   * A fresh open conversation its customer waits on since ASKED, its first wait (`firstWaitFrom`, which
   * the opening message's touch writes since 2026-12-07).
   */
  async function waitingConversation(): Promise<string> {
    const id = `conv-${++next}`;
    await doc.put({
      TableName: TABLE,
      Item: {
        ...Keys.conversation(id),
        id,
        status: 'open',
        gsi1sk: 'waiting',
        waitingSince: ASKED,
        firstWaitFrom: ASKED,
        lastInboundAt: ASKED,
      },
    });
    return id;
  }

  const counters = async () => {
    const m = await metrics.overallMetrics(DAY);
    return {
      first: m.firstResponseMs.conversations,
      firstMs: (m.firstResponseMs.mean ?? 0) * m.firstResponseMs.conversations,
      person: m.firstHumanResponseMs.conversations,
      personMs: (m.firstHumanResponseMs.mean ?? 0) * m.firstHumanResponseMs.conversations,
    };
  };
  const conversation = async (id: string) =>
    (await doc.get({ TableName: TABLE, Key: Keys.conversation(id), ConsistentRead: true })).Item ?? {};

  /** The writes `run` makes on a conversation `setUp` prepared, without a crash. */
  async function writesOf(setUp: () => Promise<string>, run: (id: string) => Promise<unknown>) {
    const id = await setUp();
    const before = faults.writes;
    await run(id);
    return faults.writes - before;
  }

  /**
   * For every write `run` makes: a conversation crashed right after it, then `run` again (the retry);
   * the counters moved by `expected` exactly, and the conversation owes nothing.
   */
  async function crashEachWrite(
    setUp: () => Promise<string>,
    run: (id: string) => Promise<unknown>,
    expected: { first: number; firstMs: number; person: number; personMs: number },
  ) {
    const writes = await writesOf(setUp, run);
    expect(writes).toBeGreaterThanOrEqual(2);
    for (let k = 1; k <= writes; k++) {
      const id = await setUp();
      const before = await counters();
      // One crash per injector: a fresh one for each write crashed after.
      faults = new DynamoFaults({ crashAfterWrite: k });
      faults.attach(dynamo.client);
      await expect(run(id)).rejects.toSatisfy(
        (error: Error) => error instanceof SimulatedCrash || error.cause instanceof SimulatedCrash,
      );
      faults.crashAfterWrite = undefined;
      await run(id);
      const after = await counters();
      expect({ k, ...diff(after, before) }).toEqual({ k, ...expected });
      expect((await conversation(id)).countOwed).toBeUndefined();
      // A third run (a late redelivery) adds nothing more.
      await run(id);
      expect(diff(await counters(), before)).toEqual(expected);
    }
  }

  const diff = (a: Awaited<ReturnType<typeof counters>>, b: Awaited<ReturnType<typeof counters>>) => ({
    first: a.first - b.first,
    firstMs: Math.round(a.firstMs - b.firstMs),
    person: a.person - b.person,
    personMs: Math.round(a.personMs - b.personMs),
  });

  it("a person's reply, the first response and theirs: counted once in both", async () => {
    await crashEachWrite(
      waitingConversation,
      (id) => metrics.recordFirstResponse(id, PERSON_AT, undefined, { responded: false }),
      { first: 1, firstMs: 7 * MINUTE, person: 1, personMs: 7 * MINUTE },
    );
  });

  it("the AI's answer, the first response: counted once", async () => {
    await crashEachWrite(waitingConversation, (id) => metrics.recordFirstResponse(id, AI_AT, ASKED), {
      first: 1,
      firstMs: 5_000,
      person: 0,
      personMs: 0,
    });
  });

  it("a person's first reply after the AI's answer: counted once in theirs", async () => {
    const answeredByAi = async () => {
      const id = await waitingConversation();
      await metrics.recordFirstResponse(id, AI_AT, ASKED);
      return id;
    };
    await crashEachWrite(
      answeredByAi,
      (id) => metrics.recordFirstResponse(id, PERSON_AT, undefined, { responded: false }),
      { first: 0, firstMs: 0, person: 1, personMs: 7 * MINUTE },
    );
  });

  it("a person's first response that never reached the customer: taken back once from both", async () => {
    const answeredByPerson = async () => {
      const id = await waitingConversation();
      await metrics.recordFirstResponse(id, PERSON_AT, undefined, { responded: false });
      return id;
    };
    await crashEachWrite(answeredByPerson, (id) => metrics.takeBackFirstResponse(id, PERSON_AT), {
      first: -1,
      firstMs: -7 * MINUTE,
      person: -1,
      personMs: -7 * MINUTE,
    });
  });

  it("the AI's first response that never reached the customer: taken back once", async () => {
    const answeredByAi = async () => {
      const id = await waitingConversation();
      await metrics.recordFirstResponse(id, AI_AT, ASKED);
      // Its send failed: the customer waits again from their message.
      await doc.update({
        TableName: TABLE,
        Key: Keys.conversation(id),
        UpdateExpression: 'SET waitingSince = :asked',
        ExpressionAttributeValues: { ':asked': ASKED },
      });
      return id;
    };
    await crashEachWrite(answeredByAi, (id) => metrics.takeBackFirstResponse(id, AI_AT), {
      first: -1,
      firstMs: -5_000,
      person: 0,
      personMs: 0,
    });
  });
});
