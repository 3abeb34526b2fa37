import { describe, expect, it } from 'vitest';
import { isLaterLook, redactDeleted } from '#shared/app/apply-deletion.js';
import {
  DELETION_RELOOK_DELAY_S,
  type DeletionOutcome,
  type MessageDeletion,
} from '#shared/domain/deletion.js';
import type { Envelope } from '#shared/domain/envelope.js';

const who = { customerId: 'cu_1', identity: { kind: 'phone' as const, value: '+15550100001' } };
const envelope = {
  kind: 'delete',
  channel: 'whatsapp',
  targetMessageId: 'wamid.SECRET-ID',
} as unknown as Extract<Envelope, { kind: 'edit' | 'delete' }>;

function deps(outcome: DeletionOutcome) {
  const asked: MessageDeletion[] = [];
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const queued: Array<{ envelopes: readonly Envelope[]; delaySeconds: number | undefined }> = [];
  return {
    asked,
    logs,
    queued,
    requeue: {
      enqueue: async (envelopes: readonly Envelope[], options?: { delaySeconds?: number | undefined }) => {
        queued.push({ envelopes, delaySeconds: options?.delaySeconds });
      },
    },
    store: {
      deleteMessage: async (deletion: MessageDeletion) => {
        asked.push(deletion);
        return outcome;
      },
    },
    log: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) =>
      logs.push({ level, message, fields }),
  };
}

describe('redactDeleted', () => {
  it("asks the store for the deleting customer's message, at the time it was received", async () => {
    const d = deps('redacted');
    expect(await redactDeleted(d, envelope, who, '2026-12-05T10:00:00.000Z')).toBe('redacted');
    expect(d.asked).toEqual([
      {
        channel: 'whatsapp',
        targetMessageId: 'wamid.SECRET-ID',
        customerId: 'cu_1',
        identity: who.identity,
        at: '2026-12-05T10:00:00.000Z',
      },
    ]);
    expect(d.logs).toEqual([]);
  });

  it("logs a deletion naming another customer's message, by hashed ids only", async () => {
    const d = deps('not-theirs');
    await redactDeleted(d, envelope, who, '2026-12-05T10:00:00.000Z');
    expect(d.logs).toHaveLength(1);
    expect(d.logs[0]).toMatchObject({ level: 'warn', fields: { channel: 'whatsapp', customerId: 'cu_1' } });
    expect(JSON.stringify(d.logs)).not.toContain('SECRET-ID');
  });

  it('queues a deletion that came before its message once more, delayed, keeping its first time', async () => {
    const d = deps('marked');
    expect(await redactDeleted(d, envelope, who, '2026-12-05T10:00:00.000Z')).toBe('marked');
    expect(d.queued).toEqual([
      {
        envelopes: [{ ...envelope, markedAt: '2026-12-05T10:00:00.000Z' }],
        delaySeconds: DELETION_RELOOK_DELAY_S,
      },
    ]);
    const [later] = d.queued[0]?.envelopes ?? [];
    expect(later && isLaterLook(later)).toBe(true);
    expect(JSON.stringify(d.logs)).not.toContain('SECRET-ID');
  });

  it('looks again once only, at the time the deletion first marked, and logs what it found', async () => {
    for (const outcome of ['marked', 'redacted'] as const) {
      const d = deps(outcome);
      const later = { ...envelope, markedAt: '2026-12-05T10:00:00.000Z' };
      expect(await redactDeleted(d, later, who, '2026-12-05T10:01:00.000Z')).toBe(outcome);
      expect(d.asked[0]?.at).toBe('2026-12-05T10:00:00.000Z');
      expect(d.queued).toEqual([]);
      expect(d.logs).toEqual([
        expect.objectContaining({ level: 'info', fields: expect.objectContaining({ outcome }) }),
      ]);
    }
  });

  it('queues nothing once the message was found, or without a queue', async () => {
    const found = deps('redacted');
    await redactDeleted(found, envelope, who, '2026-12-05T10:00:00.000Z');
    expect(found.queued).toEqual([]);
    const { requeue: _requeue, ...alone } = deps('marked');
    expect(await redactDeleted(alone, envelope, who, '2026-12-05T10:00:00.000Z')).toBe('marked');
  });
});
