import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import { putItem } from '#shared/store/dynamo-client.js';
import { auditIndexPartitions, putAuditIndexInput } from '#shared/store/params/audit.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'audit-integrity';

/**
 * The audit log's writes and filtered reads on the real DynamoDB API (dynalite): what an audited call
 * writes and costs, and that an index entry whose record never landed is never listed.
 */
describe('the audit log: a record and its index entries', () => {
  const local = useLocalStore(TABLE);
  let calls: RecordedCall[] | undefined;
  /** The calls `run` made: how many of each command, and the units they used. */
  const counted = async <T>(run: () => Promise<T>) => {
    calls ??= recordCalls(local.dynamo.client);
    const from = calls.length;
    const result = await run();
    const made = calls.slice(from);
    const commands: Record<string, number> = {};
    for (const call of made) commands[call.command] = (commands[call.command] ?? 0) + 1;
    return { result, commands, units: made.reduce((sum, call) => sum + call.units, 0), made };
  };
  const entry = (customerIds: string[], minute: number): Omit<AuditRecord, 'id'> => ({
    at: `2026-12-06T09:${String(minute).padStart(2, '0')}:00.000Z`,
    agentId: 'admin-zoe',
    action: 'erase',
    customerIds,
    outcome: 'ok',
  });
  const ids = (page: { items: AuditRecord[] }) => page.items.map((record) => record.id);

  it('writes 3 items and 1 per customer named, one PutItem and one write unit each, the record last', async () => {
    const group = ['cu_i1', 'cu_i2', 'cu_i3'];
    const { result, commands, units, made } = await counted(() =>
      local.repos.audit.recordAudit(entry(group, 1)),
    );
    expect(commands).toEqual({ PutItem: 6 });
    expect(units).toBe(6);
    expect(made.at(-1)?.pk).toMatch(/^AUDIT#[0-7]$/);
    const read = await counted(() => local.repos.audit.listAudit({ limit: 20, customerId: 'cu_i2' }));
    expect(ids(read.result)).toEqual([result.id]);
    // The customer's index (one Query), then the record itself, read strongly (one BatchGetItem, 1 unit).
    expect(read.commands).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(read.made.map((call) => [call.command, call.units])).toEqual([
      ['Query', 0.5],
      ['BatchGetItem', 1],
    ]);
  });

  it('writes a record naming 150 customers (more than a transaction could hold) with every entry, found by each', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `cu_many${i}`);
    const { result, commands } = await counted(() => local.repos.audit.recordAudit(entry(many, 2)));
    expect(commands).toEqual({ PutItem: 153 });
    for (const customerId of ['cu_many0', 'cu_many149']) {
      expect(ids(await local.repos.audit.listAudit({ limit: 5, customerId }))).toEqual([result.id]);
    }
  });

  it('never lists an index entry whose record is not in the log, by customer, agent or action', async () => {
    const db = { doc: documentClient(local.dynamo.client), table: TABLE };
    const kept = await local.repos.audit.recordAudit(entry(['cu_o1'], 10));
    // A call cut off after its entries: the entries are there, its record is not.
    const orphan: AuditRecord = { id: 'au_0000orphan00000000000000', ...entry(['cu_o1'], 11) };
    for (const partition of auditIndexPartitions(orphan)) {
      await putItem(db, putAuditIndexInput(TABLE, partition, orphan));
    }
    expect(ids(await local.repos.audit.listAudit({ limit: 20, customerId: 'cu_o1' }))).toEqual([kept.id]);
    const byAgent = await local.repos.audit.listAudit({ limit: 20, agentId: 'admin-zoe' });
    expect(ids(byAgent)).toContain(kept.id);
    expect(ids(byAgent)).not.toContain(orphan.id);
    expect(ids(await local.repos.audit.listAudit({ limit: 20, action: 'erase' }))).not.toContain(orphan.id);
    expect(ids(await local.repos.audit.listAudit({ limit: 20 }))).not.toContain(orphan.id);
    // A page of one, the orphan alone in it: empty, with a cursor past it to the record.
    const first = await local.repos.audit.listAudit({ limit: 1, customerId: 'cu_o1' });
    expect(first.items).toEqual([]);
    const second = await local.repos.audit.listAudit({
      limit: 1,
      customerId: 'cu_o1',
      cursor: first.cursor ?? undefined,
    });
    expect(ids(second)).toEqual([kept.id]);
  });
});
