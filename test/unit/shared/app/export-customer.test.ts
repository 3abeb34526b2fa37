import { describe, expect, it, vi } from 'vitest';
import { exportCustomer } from '#shared/app/export-customer.js';
import type { AuditRecord } from '#shared/domain/audit.js';
import { type CustomerExport, customerOfExport, newExportId } from '#shared/domain/privacy.js';

const NOW = new Date('2025-06-10T09:00:00.000Z');
const data = (text: string, customerIds = ['cu_1']): CustomerExport => ({
  exportedAt: NOW.toISOString(),
  customers: customerIds.map((id) => ({ id })),
  timeline: [],
  rawPayloads: [{ customerId: 'cu_1', timelineSk: 'TIMELINE#t#1', raw: text }],
  conversations: [],
  suggestions: [],
  contactStates: [],
  webchatSessions: [],
  auditRecords: [],
  webhookRecipients: [],
  truncated: { contactStates: false, webchatSessions: false, auditRecords: false, webhookRecipients: false },
});

function setup(text: string, exportInlineBytes: number, customerIds?: string[]) {
  const audits: Array<Omit<AuditRecord, 'id'>> = [];
  const saved: Array<{ id: string; body: string; expiresAt: string; alsoOf?: readonly string[] }> = [];
  const deps = {
    admin: { export: vi.fn(async () => data(text, customerIds)) },
    audit: {
      recordAudit: async (entry: Omit<AuditRecord, 'id'>) => {
        audits.push(entry);
        return { ...entry, id: 'au_1' };
      },
    },
    clock: { now: () => NOW },
    exports: {
      save: async (id: string, body: string, expiresAt: string, alsoOf?: readonly string[]) => {
        saved.push({ id, body, expiresAt, ...(alsoOf?.length ? { alsoOf } : {}) });
        return { url: `https://exports.example/${id}` };
      },
    },
    exportInlineBytes,
  };
  return { deps, audits, saved };
}

describe('exportCustomer', () => {
  it('answers an export within the budget inline, and audits it ok', async () => {
    const { deps, audits, saved } = setup('small', 10_000);
    expect(await exportCustomer(deps, 'cu_1', 'ag_admin')).toEqual({ inline: data('small') });
    expect(saved).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ action: 'export', customerIds: ['cu_1'], outcome: 'ok' }),
    ]);
  });

  it('writes an export over the budget aside, whole, and answers its URL for 15 minutes', async () => {
    const text = 'x'.repeat(20_000);
    const { deps, audits, saved } = setup(text, 10_000);
    const result = await exportCustomer(deps, 'cu_1', 'ag_admin');
    expect(saved).toHaveLength(1);
    expect(JSON.parse(saved[0]?.body ?? '')).toEqual(data(text));
    expect(result).toEqual({
      stored: {
        status: 'ready',
        url: `https://exports.example/${saved[0]?.id}`,
        expiresAt: '2025-06-10T09:15:00.000Z',
        bytes: Buffer.byteLength(saved[0]?.body ?? ''),
      },
    });
    // Its id names the customer, so a download and an erasure find whose it is.
    expect(saved[0]?.id).toMatch(/^ex_[0-9a-f]{16}_cu_1$/);
    expect(audits.map((a) => a.outcome)).toEqual(['stored']);
  });

  it('names every customer of a merged group on the audit record, the one asked for first', async () => {
    const { deps, audits } = setup('small', 10_000, ['cu_2', 'cu_1']);
    await exportCustomer(deps, 'cu_1', 'ag_admin');
    expect(audits).toEqual([expect.objectContaining({ customerIds: ['cu_1', 'cu_2'], outcome: 'ok' })]);
  });

  it('keeps an export of a merged group written aside findable by each of its customers', async () => {
    // After an unmerge and cu_2's erasure, the file holding cu_2's messages must go with cu_2.
    const { deps, audits, saved } = setup('x'.repeat(20_000), 10_000, ['cu_1', 'cu_2', 'cu_3']);
    await exportCustomer(deps, 'cu_1', 'ag_admin');
    expect(saved[0]?.id).toMatch(/^ex_[0-9a-f]{16}_cu_1$/);
    expect(saved[0]?.alsoOf).toEqual(['cu_2', 'cu_3']);
    expect(audits).toEqual([
      expect.objectContaining({ customerIds: ['cu_1', 'cu_2', 'cu_3'], outcome: 'stored' }),
    ]);
  });

  it('reads the customer back from an export id, and none from an id of another shape', () => {
    expect(customerOfExport(newExportId('cu_0mx9_a', '0123456789abcdef'))).toBe('cu_0mx9_a');
    for (const id of [
      'ex_0123456789abcdef0123456789abcdef',
      'ex_0123456789ABCDEF_cu_1',
      'ex_0123456789abcdef_',
      'x',
    ]) {
      expect(customerOfExport(id)).toBeUndefined();
    }
  });
});
