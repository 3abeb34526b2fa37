import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import { ValidationError } from '#shared/errors.js';
import { auditRepository } from '#shared/store/audit-repository.js';
import { encodeCursor } from '#shared/store/cursor.js';
import { AUDIT_SHARDS } from '#shared/store/keys.js';
import { putAuditIndexInput, putAuditInput } from '#shared/store/params/audit.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const item = (shard: number, minute: number) => {
  const at = `2025-06-10T09:${String(minute).padStart(2, '0')}:00.000Z`;
  const id = `au_${minute}`;
  return {
    pk: `AUDIT#${shard}`,
    sk: `${at}#${id}`,
    entity: 'audit',
    id,
    at,
    agentId: 'zoe',
    action: 'erase',
    customerIds: ['cu_1'],
    outcome: 'ok',
  };
};

describe('auditRepository', () => {
  beforeEach(() => ddb.reset());

  it('writes a record with a new id, no keys or message text in it', async () => {
    ddb.on(PutCommand).resolves({});
    const record = await auditRepository(db).recordAudit({
      at: '2025-06-10T09:00:00.000Z',
      agentId: 'zoe',
      action: 'merge',
      customerIds: ['cu_1', 'cu_2'],
      outcome: 'ok',
    });
    expect(record.id).toMatch(/^au_/);
    const put = ddb.commandCalls(PutCommand).at(-1)?.args[0].input;
    expect(put?.Item).toMatchObject({ ...record, entity: 'audit' });
    expect(String(put?.Item?.pk)).toMatch(/^AUDIT#[0-7]$/);
  });

  it('merges every shard newest first, and continues before the last record answered', async () => {
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const shard = Number(input.ExpressionAttributeValues[':pk']?.slice('AUDIT#'.length));
      const items = [item(shard, 50 - shard), item(shard, 40 - shard)];
      const before = input.ExpressionAttributeValues[':high'];
      return { Items: items.filter((i) => !before || i.sk < before) };
    });
    const repo = auditRepository(db);
    const first = await repo.listAudit({ limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual(['au_50', 'au_49', 'au_48']);
    expect(first.items[0]).not.toHaveProperty('pk');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(AUDIT_SHARDS);
    const second = await repo.listAudit({ limit: 20, cursor: first.cursor ?? undefined });
    expect(second.items.map((r) => r.id)).toEqual([
      'au_47',
      'au_46',
      'au_45',
      'au_44',
      'au_43',
      'au_40',
      'au_39',
      'au_38',
      'au_37',
      'au_36',
      'au_35',
      'au_34',
      'au_33',
    ]);
    expect(second.cursor).toBeNull();
  });

  it('writes an index entry per customer named, the agent and the action, before the record: one PutItem each', async () => {
    ddb.on(PutCommand).resolves({});
    const record = await auditRepository(db).recordAudit({
      at: '2025-06-10T09:00:00.000Z',
      agentId: 'zoe',
      action: 'erase',
      customerIds: ['cu_1', 'cu_2', 'cu_3'],
      outcome: 'ok',
    });
    const puts = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item ?? {});
    expect(puts).toHaveLength(6);
    expect(puts.map((item) => String(item.pk).replace(/#[0-7]#/, '#<shard>#'))).toEqual([
      'AUDIT#CUSTOMER#cu_1',
      'AUDIT#CUSTOMER#cu_2',
      'AUDIT#CUSTOMER#cu_3',
      'AUDIT#AGENT#<shard>#zoe',
      'AUDIT#ACTION#<shard>#erase',
      expect.stringMatching(/^AUDIT#[0-7]$/),
    ]);
    for (const item of puts) expect(item).toMatchObject({ ...record, sk: `${record.at}#${record.id}` });
  });

  it('does not write the record when an index entry fails: the call fails, every record is in its indexes', async () => {
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      if (input.Item.pk.startsWith('AUDIT#AGENT#')) throw new Error('throttled');
      return {};
    });
    await expect(
      auditRepository(db).recordAudit({
        at: '2025-06-10T09:00:00.000Z',
        agentId: 'zoe',
        action: 'export',
        customerIds: ['cu_1'],
        outcome: 'ok',
      }),
    ).rejects.toThrow();
    const pks = ddb.commandCalls(PutCommand).map((call) => String(call.args[0].input.Item?.pk));
    expect(pks.filter((pk) => /^AUDIT#[0-7]$/.test(pk))).toEqual([]);
  });

  /** BatchGetItem answering the records of the keys asked for that `log` holds. */
  const recordsIn = (log: Record<string, unknown>[]) =>
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => {
      const keys = input.RequestItems.threadline?.Keys ?? [];
      const held = log.filter((r) =>
        keys.some((k) => JSON.stringify(k) === JSON.stringify({ pk: r.pk, sk: r.sk })),
      );
      return { Responses: { threadline: held } };
    });
  /** A record as the log holds it, in the shard its id picks, and its entry under `partition`. */
  const stored = (minute: number, customerIds: string[]) => {
    const at = `2025-06-10T09:${String(minute).padStart(2, '0')}:00.000Z`;
    const record: AuditRecord = {
      id: `au_${minute}xyz`,
      at,
      agentId: 'zoe',
      action: 'export',
      customerIds,
      outcome: 'ok',
    };
    return {
      record: putAuditInput('threadline', record).Item ?? {},
      entry: (partition: string) => putAuditIndexInput('threadline', partition, record).Item ?? {},
    };
  };

  it("reads one customer's records from their index, then the records themselves: one Query and one BatchGetItem, whatever the log holds", async () => {
    const { record, entry } = stored(30, ['cu_1']);
    ddb.on(QueryCommand).resolves({ Items: [entry('AUDIT#CUSTOMER#cu_1')] });
    recordsIn([record]);
    const page = await auditRepository(db).listAudit({ limit: 20, customerId: 'cu_1' });
    expect(page).toEqual({
      items: [expect.objectContaining({ id: 'au_30xyz', customerIds: ['cu_1'] })],
      cursor: null,
    });
    expect(page.items[0]).not.toHaveProperty('entity');
    const queries = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries).toHaveLength(1);
    expect(queries[0]?.ExpressionAttributeValues?.[':pk']).toBe('AUDIT#CUSTOMER#cu_1');
    const gets = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.threadline);
    expect(gets).toEqual([{ Keys: [{ pk: record.pk, sk: record.sk }], ConsistentRead: true }]);
  });

  it('skips an index entry whose record is not in the log (a write cut off between them), and keeps paging past it', async () => {
    const kept = stored(31, ['cu_1']);
    const orphan = stored(32, ['cu_1']);
    const older = stored(29, ['cu_1']);
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const entries = [orphan, kept, older].map((s) => s.entry('AUDIT#CUSTOMER#cu_1'));
      const high = input.ExpressionAttributeValues[':high'];
      const left = entries.filter((e) => !high || String(e?.sk) < high);
      return left.length > 2 ? { Items: left.slice(0, 2), LastEvaluatedKey: left[1] } : { Items: left };
    });
    recordsIn([kept.record, older.record]);
    const repo = auditRepository(db);
    const first = await repo.listAudit({ limit: 2, customerId: 'cu_1' });
    expect(first.items.map((r) => r.id)).toEqual(['au_31xyz']);
    expect(first.cursor).not.toBeNull();
    const second = await repo.listAudit({ limit: 2, customerId: 'cu_1', cursor: first.cursor ?? undefined });
    expect(second).toEqual({ items: [expect.objectContaining({ id: 'au_29xyz' })], cursor: null });
  });

  it('lists the record, not its entry: an entry that does not match its record lists nothing', async () => {
    const { record, entry } = stored(33, ['cu_2']);
    ddb.on(QueryCommand).resolves({ Items: [{ ...entry('AUDIT#CUSTOMER#cu_1'), customerIds: ['cu_1'] }] });
    recordsIn([record]);
    const page = await auditRepository(db).listAudit({ limit: 20, customerId: 'cu_1' });
    expect(page.items).toEqual([]);
  });

  it('writes a record once: a retried put that meets its own record (its first answer lost) is done', async () => {
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      if (/^AUDIT#[0-7]$/.test(input.Item.pk))
        throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      return {};
    });
    const record = await auditRepository(db).recordAudit({
      at: '2025-06-10T09:00:00.000Z',
      agentId: 'zoe',
      action: 'export',
      customerIds: ['cu_1'],
      outcome: 'ok',
    });
    expect(record.id).toMatch(/^au_/);
    const puts = ddb.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(4);
    expect(puts.at(-1)?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it("reads an agent's calls from the agent's shards, filtering the action and bounding the window", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await auditRepository(db).listAudit({
      limit: 20,
      agentId: 'zoe',
      action: 'export',
      since: '2025-06-01T00:00:00.000Z',
      until: '2025-06-08T00:00:00.000Z',
    });
    const queries = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':pk']).sort()).toEqual(
      Array.from({ length: AUDIT_SHARDS }, (_, shard) => `AUDIT#AGENT#${shard}#zoe`),
    );
    expect(queries[0]).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :high',
      FilterExpression: '#action = :action',
    });
  });

  it("indexes an agent's removal under the agent removed too, and reads it from that index's shards", async () => {
    ddb.on(PutCommand).resolves({});
    const record = await auditRepository(db).recordAudit({
      at: '2025-06-10T09:00:00.000Z',
      agentId: 'lead',
      action: 'agent_remove',
      customerIds: [],
      outcome: 'ok',
      subjectAgentId: 'fa',
    });
    const pks = ddb.commandCalls(PutCommand).map((call) => String(call.args[0].input.Item?.pk));
    expect(pks.map((pk) => pk.replace(/#[0-7]#/, '#<shard>#'))).toContain('AUDIT#SUBJECT#<shard>#fa');
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    await auditRepository(db).listAudit({ limit: 20, subjectAgentId: 'fa', agentId: 'lead' });
    const queries = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':pk']).sort()).toEqual(
      Array.from({ length: AUDIT_SHARDS }, (_, shard) => `AUDIT#SUBJECT#${shard}#fa`),
    );
    expect(queries[0]).toMatchObject({ FilterExpression: 'agentId = :agentId' });
    expect(record.subjectAgentId).toBe('fa');
  });

  it('refuses a cursor it did not make', async () => {
    await expect(
      auditRepository(db).listAudit({ limit: 3, cursor: encodeCursor({ x: 1 }) ?? '' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
