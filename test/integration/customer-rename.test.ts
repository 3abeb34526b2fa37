import { describe, expect, it } from 'vitest';
import { renameCustomer } from '#shared/app/rename-customer.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'customer-rename';
const phone = { kind: 'phone', value: '+16505551234' } as const;

/**
 * An agent's name for a customer (`PATCH /api/customers/{id}`) over dynalite: indexed for search in
 * place of the provider's, and kept when a provider's profile name comes later, or late for an
 * earlier message (the resolver keeps the earliest event's name, and an agent's counts as earlier).
 */
describe('renaming a customer', () => {
  const local = useLocalStore(TABLE);
  const touch = (name: string, at: string) =>
    local.repos.customers.touchProfile({
      customerId: 'cu_ann',
      identities: [phone],
      channel: 'whatsapp',
      at,
      now: at,
      conversationId: 'cv_ann',
      newConversation: false,
      inbound: true,
      name: { value: name, at },
    });
  /** The rename as agent `ag_lee` makes it, audited in the table's log, at a fixed time. */
  const rename = (customerId: string, name: string) =>
    renameCustomer(
      { ...local, audit: local.repos.audit, clock: { now: () => new Date('2025-06-09T07:00:00.000Z') } },
      { customerId, name, agentId: 'ag_lee' },
    );
  const audits = async () =>
    (await local.repos.audit.listAudit({ limit: 50 })).items.map((r) => [
      r.agentId,
      r.action,
      r.customerIds,
      r.outcome,
    ]);
  const found = async (prefix: string) =>
    (await local.store.findCustomersByName(prefix, { limit: 10 })).items.map((c) => [c.id, c.name]);

  it("is found by its new name, not the provider's, and stays over every provider name after it", async () => {
    await touch('ann', '2025-06-08T21:00:00.000Z');
    expect(await found('ann')).toEqual([['cu_ann', 'ann']]);

    const renamed = await rename('cu_ann', 'Ann Smith (ACME)');
    expect(renamed?.name).toBe('Ann Smith (ACME)');
    expect(await found('ann smith')).toEqual([['cu_ann', 'Ann Smith (ACME)']]);

    // A later message, then one that happened before the first and came late: the agent's name stays.
    await touch('Annie', '2025-06-09T08:00:00.000Z');
    await touch('A.', '2025-06-08T20:00:00.000Z');
    expect((await local.store.getCustomer('cu_ann'))?.name).toBe('Ann Smith (ACME)');
    expect(await found('annie')).toEqual([]);
    expect(await found('a.')).toEqual([]);
  });

  it('refuses an unknown customer, writing nothing', async () => {
    await expect(rename('cu_none', 'Bob')).rejects.toMatchObject({ code: 'not_found' });
    expect(await local.store.getCustomer('cu_none')).toBeUndefined();
  });

  it('writes an audit record of each rename: who, which customer, how it ended (never the name)', async () => {
    const records = await audits();
    expect(records).toContainEqual(['ag_lee', 'rename', ['cu_ann'], 'ok']);
    expect(records).toContainEqual(['ag_lee', 'rename', ['cu_none'], 'not_found']);
    const all = JSON.stringify((await local.repos.audit.listAudit({ limit: 50 })).items);
    expect(all).not.toContain('ACME');
  });
});
