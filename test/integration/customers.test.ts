import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { envelope } from '../unit/fakes/envelopes.js';

const TOKEN = agentToken('customers-token');
const base = { receivedAt: '2025-06-10T14:00:00.000Z', rawRef: 'test#/' };
const phone = { kind: 'phone', value: '+14155550100' } as const;
const email = { kind: 'email', value: 'dana@example.com' } as const;

const whatsapp = envelope({
  ...base,
  id: 'whatsapp:msg:wamid.1',
  provider: 'whatsapp',
  channel: 'whatsapp',
  kind: 'message',
  direction: 'inbound',
  providerMessageId: 'wamid.1',
  occurredAt: '2025-06-10T09:00:00.000Z',
  customer: phone,
  profileName: 'Dana',
  contentType: 'text',
  text: 'My parcel is late',
});
const sms = envelope({
  ...whatsapp,
  id: 'twilio:msg:SM1',
  provider: 'twilio',
  channel: 'sms',
  providerMessageId: 'SM1',
  occurredAt: '2025-06-10T10:00:00.000Z',
  text: 'Any news?',
});
const mail = envelope({
  ...whatsapp,
  id: 'ses:msg:ses-1',
  provider: 'ses',
  channel: 'email',
  providerMessageId: 'ses-1',
  occurredAt: '2025-06-10T11:00:00.000Z',
  customer: email,
  profileName: 'Dana Scully',
  text: 'Writing by email now. My number is +1 415 555 0100.',
  data: { messageId: '<m1@example.com>' },
});

describe('local runtime: one customer across channels, merged, exported and erased', () => {
  let runtime: LocalRuntime;
  const call = agentRequest(() => runtime.url, TOKEN);
  const deliver = async (...envelopes: Envelope[]) => {
    await runtime.inbound.send(envelopes.map((e) => JSON.stringify(e)));
    await runtime.idle();
  };
  const find = async (q: string) =>
    (await call<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`)).json.items;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-1:${TOKEN}:admin` },
      queue: { visibilityTimeoutMs: 500 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('suggests, merges, reads the union, unmerges, exports and erases', async () => {
    await deliver(whatsapp, sms, mail);
    const [phoneCustomer] = await find('(415) 555-0100');
    const [emailCustomer] = await find('Dana@Example.com');
    expect(phoneCustomer?.channels).toEqual(['sms', 'whatsapp']);
    expect(emailCustomer && phoneCustomer && emailCustomer.id !== phoneCustomer.id).toBe(true);
    const a = phoneCustomer as Customer;
    const b = emailCustomer as Customer;

    // The phone number in the email raised a suggestion on both profiles.
    const profile = await call<{ suggestions: Array<{ otherId: string; evidence: unknown[] }> }>(
      'GET',
      `/api/customers/${a.id}`,
    );
    expect(profile.json.suggestions.map((s) => s.otherId)).toEqual([b.id]);

    // The switch from WhatsApp to SMS shows on the timeline.
    const before = await call<{ items: TimelineItem[] }>('GET', `/api/customers/${a.id}/timeline`);
    expect(before.json.items.map((i) => i.event ?? i.channel)).toEqual(['whatsapp', 'channel_switch', 'sms']);

    const accepted = await call<Customer>('POST', `/api/customers/${a.id}/suggestions/${b.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.json.identities).toEqual([email, phone]);
    // Either id reads the union, in order.
    for (const id of [a.id, b.id]) {
      const union = await call<{ items: TimelineItem[] }>('GET', `/api/customers/${id}/timeline?limit=2`);
      const next = await call<{ items: TimelineItem[] }>(
        'GET',
        `/api/customers/${id}/timeline?limit=50&cursor=${encodeURIComponent(String((union.json as { cursor?: string }).cursor))}`,
      );
      expect([...union.json.items, ...next.json.items].map((i) => i.event ?? i.channel)).toEqual([
        'whatsapp',
        'channel_switch',
        'sms',
        'channel_switch',
        'email',
        'merge',
        // The merged-in customer's open conversation, resolved by the merge: its note, then its resolve.
        undefined,
        'resolved',
      ]);
    }
    // The email identity now resolves to the merged customer.
    expect((await find('dana@example.com')).map((c) => c.id)).toEqual([a.id]);

    const unmerged = await call<Customer>('POST', `/api/customers/${a.id}/unmerge`, { customerId: b.id });
    expect(unmerged.json.identities).toEqual([phone]);
    expect((await find('dana@example.com')).map((c) => c.id)).toEqual([b.id]);
    // Asked again (a retry whose answer was lost), the unmerge is done: answered as such, nothing changes.
    expect((await call('POST', `/api/customers/${a.id}/unmerge`, { customerId: b.id })).status).toBe(200);
    // Undoing a merge that never was is refused.
    expect((await call('POST', `/api/customers/${b.id}/unmerge`, { customerId: a.id })).status).toBe(409);

    const exported = await call<{ customers: unknown[]; timeline: TimelineItem[] }>(
      'GET',
      `/api/customers/${a.id}/export`,
    );
    expect(exported.json.timeline.map((i) => i.text).filter(Boolean)).toEqual([
      'My parcel is late',
      'Any news?',
    ]);

    const erased = await call<{ timelineItems: number; identities: number }>(
      'DELETE',
      `/api/customers/${a.id}`,
    );
    expect(erased.json).toMatchObject({ identities: 1 });
    expect((await call('GET', `/api/customers/${a.id}`)).status).toBe(410);
    expect(await find('+14155550100')).toEqual([]);
    // Nothing left in the table names the erased customer or holds what they wrote.
    const client = new DynamoDBClient({
      endpoint: runtime.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const items = (await client.send(new ScanCommand({ TableName: 'threadline' }))).Items ?? [];
    client.destroy();
    const everything = JSON.stringify(items);
    for (const personal of ['+14155550100', 'My parcel is late', 'Any news?']) {
      expect(everything).not.toContain(personal);
    }
    // Of the erased customer's partition only the tombstone remains, with counts and no personal data.
    const left = items.filter((i) => i.pk?.S === `CUSTOMER#${a.id}`);
    expect(left.map((i) => [i.sk?.S, i.entity?.S, i.name, i.identities?.SS])).toEqual([
      ['PROFILE', 'erased_customer', undefined, undefined],
    ]);

    // A new message from the erased number starts a new customer.
    await deliver(
      envelope({
        ...sms,
        id: 'twilio:msg:SM2',
        providerMessageId: 'SM2',
        occurredAt: '2025-06-11T09:00:00.000Z',
      }),
    );
    const [fresh] = await find('+14155550100');
    expect(fresh && fresh.id !== a.id).toBe(true);
  }, 30_000);
});

describe('local runtime: two agents change one customer’s tags at once', () => {
  let runtime: LocalRuntime;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Customer };
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `agent-1:${TOKEN}` } });
    await runtime.inbound.send([JSON.stringify(whatsapp)]);
    await runtime.idle();
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('keeps both changes when each sends only what it changed; a replace still replaces', async () => {
    const search = await fetch(`${runtime.url}/api/customers?q=Dana`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const [customer] = ((await search.json()) as { items: Customer[] }).items;
    const path = `/api/customers/${customer?.id}/tags`;
    expect((await call('PUT', path, { tags: ['late', 'parcel'] })).status).toBe(200);
    const [one, two] = await Promise.all([
      call('PATCH', path, { add: ['vip'] }),
      call('PATCH', path, { add: ['refund'], remove: ['late'] }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const after = await call('PATCH', path, {});
    expect([...after.json.tags].sort()).toEqual(['parcel', 'refund', 'vip']);
    expect((await call('PATCH', path, { add: ['x'], remove: ['x'] })).json.tags).toContain('x');
    expect((await call('PATCH', path, { add: ['not a tag'] })).status).toBe(400);
    expect((await call('PATCH', '/api/customers/cu_nobody/tags', { add: ['vip'] })).status).toBe(404);
    expect((await call('PUT', path, { tags: ['only'] })).json.tags).toEqual(['only']);
  });
});
