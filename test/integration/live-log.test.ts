import type { PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { publishLiveChanges } from '#shared/app/publish-live-changes.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import type { DurableEvent, ServerFrame } from '#shared/domain/live/events.js';
import { seqAt, seqClock } from '#shared/domain/live/seq.js';
import { memoryConnections } from '#shared/local/live-server.js';
import { LIVE_SHARDS, liveEventSortKey, liveHour, shardOf } from '#shared/store/keys.js';
import { redactLivePack } from '#shared/store/live-erasure.js';
import { liveEventRepository } from '#shared/store/live-repository.js';
import { LIVE_PACK } from '#shared/store/params/live.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'live-log';
const HOUR = Date.parse('2026-12-03T12:00:00.000Z');
const local = useLocalStore(TABLE);

/** The log over the dynalite table, with every pack it puts (`puts`) and every note of a customer's packs. */
function countedLog() {
  const doc = documentClient(local.dynamo.client);
  const puts: PutCommandInput[] = [];
  const notes: PutCommandInput[] = [];
  const counted = {
    get: doc.get.bind(doc),
    update: doc.update.bind(doc),
    delete: doc.delete.bind(doc),
    query: doc.query.bind(doc),
    batchGet: doc.batchGet.bind(doc),
    put: (input: PutCommandInput) => {
      (input.Item?.entity === 'live_note' ? notes : puts).push(input);
      return doc.put(input);
    },
  };
  return { log: liveEventRepository({ doc: counted, table: TABLE }), puts, notes, doc };
}

const event = (seq: number, n: number, customerId = `cu_${n % 7}`): DurableEvent => ({
  id: `live_${seq}_${n}`,
  seq,
  type: 'conversation.updated',
  customerId,
  conversationId: `cv_${n}`,
  item: {
    id: `cv_${n}`,
    customerId,
    createdAt: '2026-12-03T11:00:00.000Z',
    status: 'open',
    channels: ['whatsapp'],
    channelSwitch: false,
  } as never,
});

/** Every event of the log after `since`, page by page of `limit`, as a client pages through them. */
async function pageThrough(
  log: ReturnType<typeof countedLog>['log'],
  after: number,
  limit: number,
  now: number,
) {
  const seen: DurableEvent[] = [];
  for (let pages = 0; pages < 1000; pages++) {
    const page = await log.read(after, limit, now);
    seen.push(...page.events);
    if (!page.more) return seen;
    const last = page.events.at(-1)?.seq;
    if (last === undefined || last <= after) throw new Error(`page ${pages} did not move past ${after}`);
    after = last;
  }
  throw new Error('too many pages');
}

describe('the live event log, packed (dynalite)', () => {
  it('writes a batch of 40 small events as one item of a few write units, not 40', async () => {
    const { log, puts, notes } = countedLog();
    const events = Array.from({ length: 40 }, (_, i) => event(seqAt(HOUR + 1000) + i, i));
    await log.append(events);
    expect(puts).toHaveLength(1);
    // One note per customer in the pack (7), a write unit each, with the pack's ttl.
    expect(notes.map((n) => n.Item?.pk).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `LIVE#OF#cu_${i}`),
    );
    expect(
      notes.every((n) => n.Item?.ttl === puts[0]?.Item?.ttl && n.Item?.packPk === puts[0]?.Item?.pk),
    ).toBe(true);
    const bytes = JSON.stringify(puts[0]?.Item).length;
    expect(Math.ceil(bytes / 1024)).toBeLessThan(events.length / 2);
    const page = await log.read(seqAt(HOUR + 1000) + 9, 100, HOUR + 5000);
    expect(page.events.map((e) => e.id)).toEqual(events.slice(10).map((e) => e.id));
  });

  it('splits packs at the count, the span and the hour', async () => {
    const { log, puts } = countedLog();
    const base = seqAt(HOUR - 500);
    const erased = (seq: number, n: number): DurableEvent => ({
      id: `live_${seq}_${n}`,
      seq,
      type: 'customer.updated',
      customerId: `cu_${n}`,
      item: { change: 'erased' },
    });
    const events = [
      ...Array.from({ length: LIVE_PACK.events + 1 }, (_, i) => erased(base + i, i)),
      erased(base + LIVE_PACK.events + LIVE_PACK.spanSeq + 1, 200),
      erased(seqAt(HOUR + 10), 201),
    ];
    await log.append(events);
    expect(puts.map((p) => JSON.parse(String(p.Item?.events)).length)).toEqual([LIVE_PACK.events, 1, 1, 1]);
    expect(puts.map((p) => String(p.Item?.pk).split('#')[1])).toEqual([
      liveHour(HOUR - 500),
      liveHour(HOUR - 500),
      liveHour(HOUR - 500),
      liveHour(HOUR + 10),
    ]);
  });

  it('pages through packs of parallel writers in one shard, every event once and in order, at any page size', async () => {
    const { log } = countedLog();
    const start = HOUR + 600_000;
    const all: DurableEvent[] = [];
    // Ids that all pick shard 0, so the shard holds more packs than a page reads and the read must stop
    // inside it; three writers, each with its own seq clock in the same millisecond, append interleaved
    // batches of 1 to 9 events, so their packs overlap in seq.
    let n = 0;
    const inShardZero = (seq: number): DurableEvent => {
      for (;;) {
        const candidate = event(seq, n++);
        if (shardOf(candidate.id, LIVE_SHARDS) === 0) return candidate;
      }
    };
    const writers = [0, 1, 2].map(() => seqClock(() => start));
    for (let batch = 0; batch < 24; batch++) {
      const next = writers[batch % 3] as () => number;
      const events = Array.from({ length: (batch * 7) % 9 || 1 }, () => inShardZero(next()));
      all.push(...events);
      await log.append(events);
    }
    const sorted = [...all].sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));
    for (const limit of [4, 500]) {
      const seen = await pageThrough(log, seqAt(start) - 1, limit, start + 10_000);
      expect(seen.map((e) => e.id)).toEqual(sorted.map((e) => e.id));
    }
  }, 60_000);

  it('still reads an event the log wrote alone before it packed them', async () => {
    const { log } = countedLog();
    const old = event(seqAt(HOUR + 1_200_000), 1);
    const doc = documentClient(local.dynamo.client);
    await doc.put({
      TableName: TABLE,
      Item: {
        pk: `LIVE#${liveHour(HOUR)}#${shardOf(old.customerId, LIVE_SHARDS)}`,
        sk: liveEventSortKey(old.seq, old.id),
        entity: 'live_event',
        event: JSON.stringify(old),
      },
    });
    const page = await log.read(old.seq - 1, 10, HOUR + 1_300_000);
    expect(page.events).toEqual([old]);
  });
});

describe('taking an erased customer out of the log (dynalite)', () => {
  const T0 = HOUR + 2_000_000;
  const keyOf = (note: PutCommandInput) => ({ pk: String(note.Item?.packPk), sk: String(note.Item?.packSk) });

  it('rewrites a shared pack with the others’ events as they were, deletes a pack only theirs', async () => {
    const { log, notes, doc } = countedLog();
    const shared = [event(seqAt(T0), 1, 'cu_gone'), event(seqAt(T0) + 1, 2, 'cu_kept')];
    await log.append(shared);
    await log.append([event(seqAt(T0 + 1000), 3, 'cu_gone')]);
    const theirs = notes.filter((n) => n.Item?.pk === 'LIVE#OF#cu_gone');
    expect(theirs).toHaveLength(2);
    const deleted: unknown[] = [];
    const db = { doc, table: TABLE };
    const results = [];
    for (const note of theirs) {
      results.push(
        await redactLivePack(db, keyOf(note), 'cu_gone', (key) =>
          doc.delete({ TableName: TABLE, Key: key }).then(() => deleted.push(key)),
        ),
      );
    }
    expect(results).toEqual([
      { removed: 1, write: 'rewrite' },
      { removed: 1, write: 'delete' },
    ]);
    expect(deleted).toHaveLength(1);
    const page = await log.read(seqAt(T0) - 1, 10, T0 + 5000);
    expect(page.events).toEqual([shared[1]]);
    // Again (a resumed erasure): nothing of theirs is left, no write.
    for (const note of theirs) {
      expect(await redactLivePack(db, keyOf(note), 'cu_gone', async () => undefined)).toEqual({
        removed: 0,
        write: 'none',
      });
    }
  });

  it('reads a pack again when another erasure rewrote it meanwhile, and keeps what that one kept', async () => {
    const { log, notes, doc } = countedLog();
    const pack = [
      event(seqAt(T0 + 9000), 1, 'cu_a'),
      event(seqAt(T0 + 9000) + 1, 2, 'cu_b'),
      event(seqAt(T0 + 9000) + 2, 3, 'cu_c'),
    ];
    await log.append(pack);
    const key = keyOf(notes.find((n) => n.Item?.pk === 'LIVE#OF#cu_a') as PutCommandInput);
    let raced = false;
    // cu_b's erasure rewrites the pack between cu_a's read and its write.
    const racing = {
      update: doc.update.bind(doc),
      delete: doc.delete.bind(doc),
      get: async (input: Parameters<typeof doc.get>[0]) => {
        const out = await doc.get(input);
        if (!raced) {
          raced = true;
          await redactLivePack({ doc, table: TABLE }, key, 'cu_b', async () => undefined);
        }
        return out;
      },
    };
    expect(
      await redactLivePack(
        { doc: racing as unknown as typeof doc, table: TABLE },
        key,
        'cu_a',
        async () => undefined,
      ),
    ).toEqual({
      removed: 1,
      write: 'rewrite',
    });
    const page = await log.read(seqAt(T0 + 9000) - 1, 10, T0 + 15_000);
    expect(page.events).toEqual([pack[2]]);
  });
});

describe('publishing a batch of changes live', () => {
  const reply = {
    entity: 'timeline',
    id: 'reply:rp_1',
    type: 'message',
    channel: 'whatsapp',
    direction: 'outbound',
    text: 'On its way',
    at: '2026-12-03T12:30:00.000Z',
    customerId: 'cu_1',
    conversationId: 'cv_1',
  };
  const keys = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-12-03T12:30:00.000Z#reply:rp_1' };
  const record = (sequence: string, status: string, old?: string): ChangeRecord => ({
    id: sequence,
    kind: old ? 'modify' : 'insert',
    keys,
    newImage: { ...keys, ...reply, status },
    ...(old ? { oldImage: { ...keys, ...reply, status: old } } : {}),
    sequence,
    at: '2026-12-03T12:30:00.000Z',
  });
  const batch = [record('1', 'queued'), record('2', 'sent', 'queued'), record('3', 'delivered', 'sent')];

  it('logs and pushes a reply queued, sent and delivered in one batch as one event, the newest', async () => {
    const { log, puts, notes } = countedLog();
    const connections = memoryConnections();
    await connections.add({ connectionId: 'c1', agentId: 'ag_1' }, HOUR);
    const sent: ServerFrame[] = [];
    const sender = {
      send: async (_id: string, frame: ServerFrame) => {
        sent.push(frame);
        return 'sent' as const;
      },
    };
    const publish = publishLiveChanges({
      events: log,
      nextSeq: seqClock(() => HOUR + 1_800_000),
      connections,
      sender,
      log: () => undefined,
    });
    expect(await publish(batch)).toEqual({});
    expect(puts).toHaveLength(1);
    expect(notes.map((n) => n.Item?.pk)).toEqual(['LIVE#OF#cu_1']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'timeline.item', item: { id: 'reply:rp_1', status: 'delivered' } });
  });

  it('fails the whole batch from its first record when the log cannot take it, pushing nothing', async () => {
    const sent: ServerFrame[] = [];
    const logged: Array<Record<string, unknown>> = [];
    const publish = publishLiveChanges({
      events: { append: async () => Promise.reject(new Error('throttled')) },
      nextSeq: seqClock(() => HOUR),
      connections: memoryConnections(),
      sender: {
        send: async (_id, frame) => {
          sent.push(frame);
          return 'sent' as const;
        },
      },
      log: (_level, _message, fields) => logged.push(fields),
    });
    expect(await publish(batch)).toEqual({ failedSequence: '1' });
    expect(sent).toEqual([]);
    expect(logged).toEqual([{ sequence: '1', records: 3, error: 'Error' }]);
  });
});
