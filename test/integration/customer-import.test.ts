import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { ImportAnswer } from '#shared/domain/customer-import.js';
import type { Customer } from '#shared/domain/timeline.js';
import { importFile } from '#shared/local/import-customers.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { isRead, isRemovalLook, type RecordedCall, recordInto } from '../support/call-recorder.js';
import { CrashAfter } from '../support/crash-after.js';
import { stillTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const ADMIN = agentToken('import-admin-token');
const AGENT = agentToken('import-agent-token');
const ACCOUNT = 'AC00000000000000000000000000000417';
const OURS = '+15017120417';

/** A profile's write that adds identities: armed only around an import, the import's own. */
const isImportProfile = (input: { Key?: { pk?: unknown }; UpdateExpression?: string }) =>
  String(input.Key?.pk ?? '').startsWith('CUSTOMER#') &&
  (input.UpdateExpression ?? '').includes('ADD identities');

/**
 * `POST /api/customers/import` over the local runtime: customers from another help desk, each once by
 * its external id, with their identities claimed as the resolver claims them (a text from an imported
 * phone lands on the imported customer), never one another customer holds; no conversation, no
 * message; bounded calls per record; one audit record per call, counts only.
 */
describe('local runtime: importing customers', () => {
  const calls: RecordedCall[] = [];
  const crash = new CrashAfter(isImportProfile);
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `admin-ivy:${ADMIN}:admin,agent-oz:${AGENT}` },
    timers: stillTimers(),
    dynamoClient: (client) => crash.attach(recordInto(calls)(client)),
  });
  const admin = agentRequest(() => runtime.url, ADMIN);
  const api = agentCaller(() => runtime.url, ADMIN);
  const { find, timeline } = customerReads(api);
  const text = twilioTexter(
    twilioPoster(SECRETS.twilio, () => runtime.idle()),
    () => runtime.url,
    {
      account: ACCOUNT,
      business: OURS,
    },
  );
  const importing = (customers: unknown[]) =>
    admin<{ results: ImportAnswer[] }>('POST', '/api/customers/import', { customers });
  const results = async (customers: unknown[]) => {
    const answer = await importing(customers);
    expect(answer.status).toBe(200);
    return answer.json.results;
  };
  const maria = {
    externalId: 'zd-1001',
    name: 'Maria Garcia Lopez',
    phones: ['(415) 555-0100'],
    emails: ['Maria@Example.com'],
    tags: ['vip'],
  };
  const file = [maria, { externalId: 'zd-1002', phones: ['call me'] }, { externalId: 'zd 1003', name: 'X' }];

  it('creates the customer (identities, name, tags), answers each record, and opens nothing', async () => {
    const [created, badPhone, badId] = await results(file);
    expect(created).toMatchObject({ externalId: 'zd-1001', outcome: 'created' });
    expect(badPhone).toEqual({
      externalId: 'zd-1002',
      outcome: 'invalid',
      reason: 'invalid_request',
      detail: 'phones[0] is not a phone number',
    });
    expect(badId).toMatchObject({ outcome: 'invalid' });
    const customer = await api<Customer & { openConversation: unknown }>(
      'GET',
      `/api/customers/${created?.customerId}`,
    );
    expect(customer).toMatchObject({ name: 'Maria Garcia Lopez', tags: ['vip'], openConversation: null });
    expect(customer.identities.map((i) => [i.kind, i.value]).sort()).toEqual([
      ['email', 'maria@example.com'],
      ['phone', '+14155550100'],
    ]);
    expect(await timeline(customer.id)).toEqual([]);
    // Found by a word of the name, by the phone in any form, and in the customer list.
    expect((await find('lopez')).id).toBe(customer.id);
    expect((await find('415-555-0100')).id).toBe(customer.id);
    const list = await api<{ items: Customer[] }>('GET', '/api/customers?limit=50');
    expect(list.items.map((c) => c.id)).toContain(customer.id);
  });

  it('writes nothing when the same file runs again, and answers the same customers', async () => {
    const first = (await find('lopez')).id;
    calls.length = 0;
    const again = await results(file);
    expect(again.map((r) => [r.outcome, r.customerId])).toEqual([
      ['existing', first],
      ['invalid', undefined],
      ['invalid', undefined],
    ]);
    const writes = calls.filter((c) => !isRead(c) && !c.pk.startsWith('AUDIT'));
    expect(writes).toEqual([]);
  });

  it('lands a later text from the imported phone on the imported customer, name kept', async () => {
    const imported = await find('lopez');
    await text('+14155550100', 'SMim00000000000000000000000000001', 'Hi, where is my order?');
    const texted = await find('+14155550100');
    expect(texted.id).toBe(imported.id);
    expect(texted.name).toBe('Maria Garcia Lopez');
    expect((await timeline(texted.id)).map((i) => i.type === 'message' && i.text)).toEqual([
      'Hi, where is my order?',
    ]);
  });

  it('takes a record whose identity a customer holds (matched), and never moves an identity (conflict)', async () => {
    await text('+14155550111', 'SMim00000000000000000000000000002', 'hello');
    await text('+14155550122', 'SMim00000000000000000000000000003', 'hello');
    const [ann, bob] = [await find('+14155550111'), await find('+14155550122')];
    const [matched, conflict] = await results([
      { externalId: 'zd-2001', name: 'Ann Lee', phones: ['+1 415 555 0111'], emails: ['ann@example.com'] },
      { externalId: 'zd-2002', name: 'Both', phones: ['+14155550111', '+14155550122'] },
    ]);
    expect(matched).toEqual({ externalId: 'zd-2001', outcome: 'matched', customerId: ann.id });
    expect(conflict).toMatchObject({
      externalId: 'zd-2002',
      outcome: 'conflict',
      identity: { kind: 'phone', value: '+14155550122' },
    });
    expect((await find('ann@example.com')).id).toBe(ann.id);
    expect((await find('+14155550122')).id).toBe(bob.id);
    expect((await api<Customer>('GET', `/api/customers/${ann.id}`)).name).toBe('Ann Lee');
  });

  it('completes a customer on the re-run after a crash midway', async () => {
    const record = { externalId: 'zd-3001', name: 'Cy Twombly', phones: ['+14155550133'] };
    crash.armed = true;
    // The store answers a write that failed unexpectedly as unavailable (503): the caller retries.
    expect((await importing([record])).status).toBe(503);
    expect(crash.crashes).toBe(1);
    const [done] = await results([record]);
    expect(done).toMatchObject({ outcome: 'created' });
    expect((await find('+14155550133')).id).toBe(done?.customerId);
    expect((await results([record]))[0]).toMatchObject({ outcome: 'existing', customerId: done?.customerId });
  });

  it('costs a bounded number of DynamoDB calls per record', async () => {
    calls.length = 0;
    await results([
      { externalId: 'zd-4001', name: 'Dee Brandt', phones: ['+14155550144'], emails: ['d@example.com'] },
    ]);
    const own = calls.filter((c) => !c.pk.startsWith('AUDIT') && !isRemovalLook(c));
    // Link read, identities' batch read, link put, 2 claims, profile, 1 word entry, settle read, link done.
    expect(own.map((c) => c.command)).toEqual([
      'GetItem',
      'BatchGetItem',
      'PutItem',
      'PutItem',
      'PutItem',
      'UpdateItem',
      'PutItem',
      'GetItem',
      'UpdateItem',
    ]);
  });

  it('is for admins only, and each call writes one audit record of counts, no contact data', async () => {
    const refused = await agentRequest(() => runtime.url, AGENT)('POST', '/api/customers/import', {
      customers: [maria],
    });
    expect(refused.status).toBe(403);
    const log = await api<{ items: AuditRecord[] }>('GET', '/api/audit?action=customers_import&limit=50');
    const records = log.items.map((r) => [r.agentId, r.outcome, r.count, r.outcomes, r.customerIds]);
    expect(records).toContainEqual(['agent-oz', 'forbidden', undefined, undefined, []]);
    expect(records).toContainEqual(['admin-ivy', 'ok', 3, { created: 1, invalid: 2 }, []]);
    expect(records).toContainEqual(['admin-ivy', 'ok', 2, { matched: 1, conflict: 1 }, []]);
    expect(records).toContainEqual(['admin-ivy', 'unavailable', 1, undefined, []]);
    expect(JSON.stringify(log.items)).not.toMatch(/Maria|555|example\.com|zd-/);
  });

  it('imports a JSON-lines file in batches (npm run import-customers), and a second run writes nothing', async () => {
    const post = async (customers: unknown[]) => {
      const answer = await importing(customers);
      return { status: answer.status, body: answer.json };
    };
    const lines = [
      JSON.stringify({ externalId: 'zd-5001', name: 'Eve Ruiz', phones: ['+14155550155'] }),
      'not json',
      JSON.stringify({ externalId: 'zd-5002', emails: ['eve.two@example.com'] }),
      '',
      JSON.stringify({ externalId: 'zd-5003', phones: ['nope'] }),
    ].join('\n');
    const first = await importFile(lines, post, 2);
    expect(first).toEqual({
      counts: { created: 2, invalid: 1 },
      problems: ['line 2: not JSON', 'line 5: invalid phones[0] is not a phone number'],
    });
    calls.length = 0;
    expect((await importFile(lines, post, 2)).counts).toEqual({ existing: 2, invalid: 1 });
    expect(calls.filter((c) => !isRead(c) && !c.pk.startsWith('AUDIT'))).toEqual([]);
  });
});
