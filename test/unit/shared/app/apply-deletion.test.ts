import { describe, expect, it } from 'vitest';
import { redactDeleted } from '#shared/app/apply-deletion.js';
import type { DeletionOutcome, MessageDeletion } from '#shared/domain/deletion.js';
import type { Envelope } from '#shared/domain/envelope.js';

const who = { customerId: 'cu_1', identity: { kind: 'phone' as const, value: '+15550100001' } };
const envelope = {
  kind: 'delete',
  channel: 'whatsapp',
  targetMessageId: 'wamid.SECRET-ID',
} as unknown as Extract<Envelope, { kind: 'delete' }>;

function deps(outcome: DeletionOutcome) {
  const asked: MessageDeletion[] = [];
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  return {
    asked,
    logs,
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
});
