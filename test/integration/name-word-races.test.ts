import { describe, expect, it } from 'vitest';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { useLocalStore } from '../support/local-store.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';

const TABLE = 'name-word-races';
const AGENT = 'ag_lee';
const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 9, minute)).toISOString();

/**
 * The word entries search finds a customer by (`NAMEWORD#<n>`) against the writes that race them: two
 * renames, a rename and an erasure or a merge, the resolver's first named message and a merge or an
 * erasure. A gate holds one side's word write until the other side is done, so the order is the
 * test's, whatever the machine's timing. Before, the late side's words stayed: the words of a name the
 * customer no longer had (found by it, their own surname not), or the name of an erased customer.
 */
describe('word entries of a name against racing renames, merges and erasures', () => {
  const local = useLocalStore(TABLE);
  const gated = (gate: DynamoGate) =>
    dynamoRepositories(documentClient(gate.attach(inspectionClient(local.dynamo.endpoint))), TABLE);
  /** A customer's first message, with a name or none, on a phone of their own. */
  const touch = (customerId: string, phone: string, name?: string, repos = local.repos) =>
    repos.customers.touchProfile({
      customerId,
      identities: [{ kind: 'phone', value: phone }],
      channel: 'whatsapp',
      at: at(1),
      now: at(1),
      conversationId: `cv_${customerId}`,
      newConversation: false,
      inbound: true,
      ...(name ? { name: { value: name, at: at(1) } } : {}),
    });
  /** The texts of the customer's word entries in the table, by slot. */
  const words = async (customerId: string) =>
    (await scanTable(local.dynamo.client, TABLE))
      .filter((item) => item.pk === `CUSTOMER#${customerId}` && String(item.sk).startsWith('NAMEWORD#'))
      .map((item) => [item.sk, String(item.gsi1sk).replace(`#${customerId}`, '')]);
  const found = async (prefix: string) =>
    (await local.store.findCustomersByName(prefix, { limit: 10 })).items.map((c) => c.id);
  /** A word entry's PutItem (the first of the write that reaches it). */
  const wordPut = (call: GatedCall) => call.operation === 'PutItem' && call.body.includes('NAMEWORD#');

  it('keeps the words of the rename that wrote the profile last, whichever wrote its words last', async () => {
    await touch('cu_ren', '+16505550101', 'Ann Smith');
    const gate = new DynamoGate();
    gate.hold(wordPut, 1);
    // The first rename writes the profile, then is held at its first word; the second runs to its end.
    const first = gated(gate).customers.renameCustomer('cu_ren', 'Ann Maria Long Garcia');
    await gate.arrived(1);
    await local.repos.customers.renameCustomer('cu_ren', 'Ann Vega');
    gate.release(0);
    await first;
    expect((await local.store.getCustomer('cu_ren'))?.name).toBe('Ann Vega');
    expect(await words('cu_ren')).toEqual([['NAMEWORD#1', 'vega']]);
    expect(await found('vega')).toEqual(['cu_ren']);
    expect(await found('garcia')).toEqual([]);
  });

  it('leaves no word of a customer erased while a rename was writing them', async () => {
    await touch('cu_erase', '+16505550102', 'Bea');
    const gate = new DynamoGate();
    gate.hold(wordPut, 1);
    const renaming = gated(gate).customers.renameCustomer('cu_erase', 'Bea Quartermaine Hollis');
    await gate.arrived(1);
    const report = await local.repos.privacy.erase('cu_erase', AGENT, at(5));
    expect(report.complete).toBe(true);
    gate.release(0);
    await renaming;
    expect(await words('cu_erase')).toEqual([]);
    const all = JSON.stringify(await scanTable(local.dynamo.client, TABLE));
    expect(all).not.toContain('quartermaine');
  });

  it('refuses a rename once the erasure began, writing no word', async () => {
    await touch('cu_erasing', '+16505550103', 'Cy');
    const gate = new DynamoGate();
    // The erasure marks the profile, then is held at its tombstone, the last write.
    gate.hold((call) => call.operation === 'PutItem' && call.body.includes('erased_customer'), 1);
    const erasing = gated(gate).privacy.erase('cu_erasing', AGENT, at(5));
    await gate.arrived(1);
    await expect(local.repos.customers.renameCustomer('cu_erasing', 'Cy Twombly')).rejects.toMatchObject({
      code: 'gone',
    });
    gate.release(0);
    await erasing;
    expect(await words('cu_erasing')).toEqual([]);
  });

  it('leaves no word of a customer merged away while a rename was writing them', async () => {
    await touch('cu_src', '+16505550104', 'Dee');
    await touch('cu_tgt', '+16505550105', 'Dee Target');
    const gate = new DynamoGate();
    gate.hold(wordPut, 1);
    const renaming = gated(gate).customers.renameCustomer('cu_src', 'Dee Wexford Brandt');
    await gate.arrived(1);
    await local.repos.merges.merge('cu_tgt', 'cu_src', AGENT, at(5));
    gate.release(0);
    await renaming;
    expect(await words('cu_src')).toEqual([]);
    expect(await found('wexford')).toEqual([]);
    expect(await found('target')).toEqual(['cu_tgt']);
  });

  it("takes the words of the resolver's first named message when the customer was merged away meanwhile", async () => {
    await touch('cu_late', '+16505550106');
    await touch('cu_keep', '+16505550107', 'Eve Keep');
    const gate = new DynamoGate();
    gate.hold(wordPut, 1);
    const resolving = touch('cu_late', '+16505550106', 'Eve Lateral', gated(gate));
    await gate.arrived(1);
    await local.repos.merges.merge('cu_keep', 'cu_late', AGENT, at(5));
    gate.release(0);
    await resolving;
    expect(await words('cu_late')).toEqual([]);
    expect(await found('lateral')).toEqual([]);
  });

  it("takes back the words of the resolver's first named message when the customer's erasure began meanwhile", async () => {
    await touch('cu_gone', '+16505550108');
    const resolver = new DynamoGate();
    resolver.hold(wordPut, 1);
    const resolving = touch('cu_gone', '+16505550108', 'Fay Ozymandias', gated(resolver));
    await resolver.arrived(1);
    // The erasure deletes the words (none yet), and is held at its tombstone while the resolver goes on.
    const erasure = new DynamoGate();
    erasure.hold((call) => call.operation === 'PutItem' && call.body.includes('erased_customer'), 1);
    const erasing = gated(erasure).privacy.erase('cu_gone', AGENT, at(5));
    await erasure.arrived(1);
    resolver.release(0);
    // Its profile write is refused (the event waits, retried, for the identities to go), and the
    // words it wrote before are taken back.
    await expect(resolving).rejects.toMatchObject({ code: 'customer_erased_meanwhile' });
    erasure.release(0);
    await erasing;
    expect(await words('cu_gone')).toEqual([]);
  });

  it('writes the name an agent gave a customer merged away while the unmerge wrote the old one', async () => {
    await touch('cu_back', '+16505550109', 'Gus Old');
    await touch('cu_home', '+16505550110', 'Gus Home');
    await local.repos.merges.merge('cu_home', 'cu_back', AGENT, at(5));
    expect(await words('cu_back')).toEqual([]);
    const gate = new DynamoGate();
    gate.hold(wordPut, 1);
    // The unmerge read the old name and is held at its word; an agent renames the customer meanwhile
    // (merged away: no words, search finds the customer they were merged into).
    const unmerging = gated(gate).merges.unmerge('cu_home', 'cu_back', AGENT, at(6));
    await gate.arrived(1);
    await local.repos.customers.renameCustomer('cu_back', 'Gus Ravensworth');
    gate.release(0);
    await unmerging;
    expect(await words('cu_back')).toEqual([['NAMEWORD#1', 'ravensworth']]);
    expect(await found('ravensworth')).toEqual(['cu_back']);
  });
});
