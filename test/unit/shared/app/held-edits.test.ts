import { describe, expect, it } from 'vitest';
import { editRefused } from '#shared/app/held-edits.js';
import { DELETION_RELOOK_DELAY_S } from '#shared/domain/deletion.js';
import type { Envelope } from '#shared/domain/envelope.js';

const AT = '2026-12-06T10:00:00.000Z';
const edit = {
  kind: 'edit',
  channel: 'whatsapp',
  providerMessageId: 'wamid.E2',
  targetMessageId: 'wamid.SECRET-ID',
  text: 'my address is 5 Oak St',
} as unknown as Envelope;

function deps() {
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const queued: Array<{ envelopes: readonly Envelope[]; delaySeconds: number | undefined }> = [];
  return {
    logs,
    queued,
    log: (level: string, message: string, fields: Record<string, unknown>) => {
      logs.push({ level, message, fields });
    },
    requeue: {
      enqueue: async (envelopes: readonly Envelope[], options?: { delaySeconds?: number | undefined }) => {
        queued.push({ envelopes, delaySeconds: options?.delaySeconds });
      },
    },
  };
}

describe('editRefused', () => {
  it('refuses an edit of another customer’s message, with a warning naming ids only', async () => {
    const d = deps();
    expect(await editRefused(d, edit, { written: false, customerId: 'cu_2', at: AT, notTheirs: true })).toBe(
      true,
    );
    expect(d.logs).toEqual([expect.objectContaining({ level: 'warn' })]);
    expect(JSON.stringify(d.logs)).not.toContain('Oak St');
    expect(JSON.stringify(d.logs)).not.toContain('SECRET-ID');
    expect(d.queued).toEqual([]);
  });

  it('places a held edit and queues it again once for a later look, keeping its time', async () => {
    const d = deps();
    expect(await editRefused(d, edit, { written: true, customerId: 'cu_1', at: AT, held: true })).toBe(false);
    expect(d.queued).toEqual([
      { envelopes: [{ ...edit, markedAt: AT }], delaySeconds: DELETION_RELOOK_DELAY_S },
    ]);
    // The later look, held again, is not queued again.
    const again = deps();
    await editRefused(again, { ...edit, markedAt: AT } as Envelope, {
      written: false,
      customerId: 'cu_1',
      at: AT,
      held: true,
    });
    expect(again.queued).toEqual([]);
  });

  it('leaves any other placement alone', async () => {
    const d = deps();
    expect(await editRefused(d, edit, { written: true, customerId: 'cu_1', at: AT })).toBe(false);
    expect(d.logs).toEqual([]);
    expect(d.queued).toEqual([]);
  });
});
