import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Channel, type Envelope, StatusEnvelopeSchema } from '#shared/domain/envelope.js';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import { decodeReplyKey } from '#shared/domain/reply-key.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import { OutboxStatuses, outboxStatusOf } from '#shared/local/outbox-statuses.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-statuses-'));
  dirs.push(dir);
  return dir;
}

const NOW = new Date('2026-12-06T12:00:00.000Z');
const message = (id: string, channel: Channel = 'sms') =>
  ({
    id,
    channel,
    customerId: 'cu_1',
    at: '2026-12-06T11:59:00.000Z',
    to: { kind: 'phone', value: '+16505550100' },
    conversationId: 'cv_1',
    text: `reply ${id}`,
    author: { kind: 'agent', id: 'agent-ana' },
  }) as unknown as OutboundMessage;

/** An envelope queue that keeps what it is given, or refuses it. */
function queue(refuse = false) {
  const queued: Envelope[] = [];
  return {
    queued,
    enqueue: async (envelopes: readonly Envelope[]) => {
      if (refuse) throw new Error('queue down');
      queued.push(...envelopes);
    },
  };
}

describe('outbox statuses', () => {
  it.each([
    ['whatsapp', 'whatsapp'],
    ['sms', 'twilio'],
    ['voice', 'twilio'],
    ['messenger', 'meta'],
    ['instagram', 'meta'],
    ['email', 'ses'],
  ] as const)('reports a %s message `sent` as %s would, with the reply’s key', async (channel, provider) => {
    const outbox = new LocalOutbox();
    const q = queue();
    outbox.reportTo(new OutboxStatuses({ queue: q, clock: { now: () => NOW } }));
    await outbox.sender().send(message('rp_1', channel));
    const [status] = q.queued;
    expect(StatusEnvelopeSchema.parse(status)).toMatchObject({
      kind: 'status',
      provider,
      channel,
      status: 'sent',
      providerMessageId: outbox.entries()[0]?.providerMessageId,
      id: `outbox:sent:${outbox.entries()[0]?.providerMessageId}`,
    });
    expect(decodeReplyKey(status?.kind === 'status' ? status.replyKey : undefined)).toEqual({
      customerId: 'cu_1',
      at: '2026-12-06T11:59:00.000Z',
      replyId: 'rp_1',
    });
  });

  it('replays on start only the lines whose status was never queued, and counts an older DATA_DIR as reported', async () => {
    const dir = dataDir();
    const file = join(dir, 'outbox.jsonl');
    const reported = join(dir, 'outbox-reported.txt');
    // A DATA_DIR from before statuses: its lines were recorded by their senders.
    await new LocalOutbox({ file }).sender().send(message('rp_old'));
    const first = new LocalOutbox({ file });
    const q = queue();
    const statuses = new OutboxStatuses({ queue: q, clock: { now: () => NOW }, file: reported });
    expect(statuses.unreported(first.entries())).toEqual([]);
    first.reportTo(statuses);
    await first.sender().send(message('rp_queued'));
    // Killed before the status was queued: the queue refuses it here, so the line has no status.
    first.reportTo(new OutboxStatuses({ queue: queue(true), clock: { now: () => NOW }, file: reported }));
    await first.sender().send(message('rp_lost'));
    expect(q.queued).toHaveLength(1);

    const again = new LocalOutbox({ file });
    const applied: string[] = [];
    const next = new OutboxStatuses({ queue: queue(), clock: { now: () => NOW }, file: reported });
    await next.replay(again.entries(), async (status) => void applied.push(status.providerMessageId));
    const lost = again.entries().find((e) => e.message.id === 'rp_lost');
    expect(applied).toEqual([lost?.providerMessageId]);
    // Reported now: the start after this one replays nothing.
    expect(next.unreported(again.entries())).toEqual([]);
    expect(readFileSync(reported, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('queues a replayed status the resolver could not apply at start, and marks it reported once queued', async () => {
    const dir = dataDir();
    const reported = join(dir, 'outbox-reported.txt');
    const entry = { providerMessageId: 'SMlost', sentAt: NOW.toISOString(), message: message('rp_2') };
    const q = queue();
    const statuses = new OutboxStatuses({ queue: q, clock: { now: () => NOW }, file: reported });
    statuses.unreported([]);
    await statuses.replay([entry], async () => {
      throw new Error('table unavailable');
    });
    expect(q.queued).toEqual([outboxStatusOf(entry, NOW)]);
    expect(statuses.unreported([entry])).toEqual([]);
  });
});
