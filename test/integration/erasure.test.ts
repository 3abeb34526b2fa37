import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { envelope, smsText } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('erasure-admin-token');
const phone = { kind: 'phone', value: '+14155550199' } as const;
/** What names the person or holds what was said to or by them: none of it may outlive the erasure. */
const PERSONAL = [
  '4155550199',
  'Dana Erased',
  'parcel-secret',
  'reply-secret',
  'note-secret',
  'optout-secret',
];

describe('local runtime: an erasure leaves nothing that names the customer', () => {
  let runtime: LocalRuntime;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const deliver = async (...envelopes: Envelope[]) => {
    await runtime.inbound.send(envelopes.map((e) => JSON.stringify(e)));
    await runtime.idle();
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-eve:${ADMIN}:admin` },
      queue: { visibilityTimeoutMs: 500 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('deletes the timeline, replies, provider events and mentions of the customer, and keeps the STOP bare', async () => {
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const base = { receivedAt: at(0), rawRef: 'test#/', customer: phone, profileName: 'Dana Erased' };
    // A message on WhatsApp: timeline item, identity, message reference, conversation.
    await deliver(
      envelope({
        ...base,
        id: 'whatsapp:msg:wamid.E1',
        provider: 'whatsapp',
        channel: 'whatsapp',
        kind: 'message',
        direction: 'inbound',
        providerMessageId: 'wamid.E1',
        occurredAt: at(120),
        contentType: 'text',
        text: 'Where is my parcel-secret?',
        // The provider's own object, wherever the store keeps it, goes too.
        raw: { from: '14155550199', text: { body: 'Where is my parcel-secret?' } },
      }),
    );
    const search = await call('GET', `/api/customers?q=${encodeURIComponent(phone.value)}`);
    const customer = ((await search.json()) as { items: Customer[] }).items[0] as Customer;
    // An agent's reply with an Idempotency-Key: the reply item (address) and its timeline item.
    const reply = await call(
      'POST',
      `/api/conversations/${customer.openConversationId}/replies`,
      { text: 'Your reply-secret is on its way' },
      { 'Idempotency-Key': 'erasure-reply-1' },
    );
    expect(reply.status).toBe(202);
    // An agent's note with an Idempotency-Key: its NOTE# item (where the note is) and its timeline item.
    const noteArgs = [
      'POST',
      `/api/conversations/${customer.openConversationId}/notes`,
      { text: 'Promised the note-secret' },
      { 'Idempotency-Key': 'erasure-note-1' },
    ] as const;
    expect((await call(...noteArgs)).status).toBe(201);
    expect((await call(...noteArgs)).status).toBe(200);
    await runtime.idle();
    await deliver(
      // STOP by SMS: the contact state of the number.
      envelope({
        ...base,
        id: 'twilio:msg:SM-E2',
        provider: 'twilio',
        channel: 'sms',
        kind: 'message',
        direction: 'inbound',
        providerMessageId: 'SM-E2',
        // Texted to one of our numbers: its opt-out is kept toward that number.
        account: '+15017120001',
        occurredAt: at(60),
        contentType: 'text',
        text: 'STOP optout-secret',
        data: { optOut: 'stop' },
      }),
      // A provider event that reached no customer but names the number: kept apart, as it came.
      envelope({
        receivedAt: at(0),
        rawRef: 'test#/',
        id: 'whatsapp:system:err-E3',
        provider: 'whatsapp',
        channel: 'whatsapp',
        kind: 'system',
        event: 'provider_error',
        providerMessageId: 'err-E3',
        occurredAt: at(30),
        errors: [{ code: '131026', title: 'Message undeliverable' }],
        raw: { recipient_id: '14155550199', errors: [{ code: 131026 }] },
      }),
    );
    // A reaction: an event written once under its own id, beside the message it reacts to.
    await deliver(
      envelope({
        ...base,
        id: 'whatsapp:reaction:wamid.E4',
        provider: 'whatsapp',
        channel: 'whatsapp',
        kind: 'reaction',
        providerMessageId: 'wamid.E4',
        targetMessageId: 'wamid.E1',
        occurredAt: at(20),
        emoji: '👍',
      }),
    );
    const table = async () => {
      const client = inspectionClient(runtime.dynamoEndpoint);
      const items = await scanTable(client, 'threadline');
      client.destroy();
      return JSON.stringify(items, (_key, value: unknown) => (value instanceof Set ? [...value] : value));
    };
    // Each kind is there before the erasure.
    const before = await table();
    for (const prefix of [
      'REPLY#',
      'NOTE#nk_',
      'CONTACT#phone#+14155550199',
      'CONTACT#+15017120001',
      'PROVIDER_EVENT#whatsapp',
      'MESSAGE#',
    ]) {
      expect(before).toContain(prefix);
    }

    // The export, taken first, holds what the provider sent as it came, beside the timeline.
    const exported = (await (await call('GET', `/api/customers/${customer.id}/export`)).json()) as {
      rawPayloads: Array<{ customerId: string; raw: string }>;
    };
    expect(exported.rawPayloads.filter((p) => p.raw.includes('parcel-secret'))).toEqual([
      expect.objectContaining({ customerId: customer.id }),
    ]);

    expect((await call('DELETE', `/api/customers/${customer.id}`)).status).toBe(200);

    // The STOP is kept as a bare suppression record (the number, ours, the reason and its time: the
    // objection outlives the erasure); nothing else names them.
    const rows = JSON.parse(await table()) as Array<Record<string, unknown>>;
    const kept = rows.filter((item) => item.entity === 'contact_state');
    expect(kept).toEqual([
      {
        pk: 'CONTACT#phone#+14155550199',
        sk: 'CONTACT#+15017120001',
        entity: 'contact_state',
        ...phone,
        number: '+15017120001',
        blocked: true,
        reason: 'opted out (STOP)',
        at: expect.any(String),
        envelopeId: 'erased',
        erasedAt: expect.any(String),
      },
    ]);
    const after = JSON.stringify(rows.filter((item) => item.entity !== 'contact_state'));
    expect(PERSONAL.filter((text) => after.includes(text))).toEqual([]);
    // The keyed note's own item goes with its timeline item, as a reply's REPLY# item does.
    expect(after).not.toContain('NOTE#nk_');
    // No provider reference still points at the erased customer.
    const references = (JSON.parse(after) as Array<Record<string, unknown>>).filter(
      (item) => String(item.pk).startsWith('MESSAGE#') && item.customerId === customer.id,
    );
    expect(references).toEqual([]);
    expect((await call('GET', `/api/customers/${customer.id}`)).status).toBe(410);
  });

  it('erases a heavy customer over several calls, each one a bounded number of deletes', async () => {
    const other = { kind: 'phone', value: '+14155550177' } as const;
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    await deliver(
      ...Array.from({ length: 12 }, (_, i) =>
        envelope({
          receivedAt: at(0),
          rawRef: 'test#/',
          customer: other,
          id: `twilio:msg:SM-H${i}`,
          provider: 'twilio',
          channel: 'sms',
          kind: 'message',
          direction: 'inbound',
          providerMessageId: `SM-H${i}`,
          occurredAt: at(600 - i),
          contentType: 'text',
          text: `heavy-secret ${i}`,
        }),
      ),
    );
    const search = await call('GET', `/api/customers?q=${encodeURIComponent(other.value)}`);
    const heavy = ((await search.json()) as { items: Customer[] }).items[0] as Customer;
    const client = inspectionClient(runtime.dynamoEndpoint);
    const repos = runtime.store;
    const privacy = privacyRepository({ doc: documentClient(client), table: 'threadline' }, repos, {
      deletesPerCall: 5,
    });
    const reports = [await privacy.erase(heavy.id, 'admin-eve', at(0))];
    // Once the erasure has begun, the customer is gone to readers and writers alike.
    const midway = await call('GET', `/api/customers/${heavy.id}`);
    expect(midway.status).toBe(410);
    expect(((await midway.json()) as { error: { code: string } }).error.code).toBe('gone');
    expect((await call('GET', `/api/customers/${heavy.id}/timeline`)).status).toBe(410);
    // The erased markers of the 12 references go first, then the identity and the conversation: gone
    // by the third call.
    reports.push(await privacy.erase(heavy.id, 'admin-eve', at(0)));
    reports.push(await privacy.erase(heavy.id, 'admin-eve', at(0)));
    // No reply is queued to them: their conversation is gone already (404), or they are (410).
    const reply = await call('POST', `/api/conversations/${heavy.openConversationId}/replies`, {
      text: 'hi',
    });
    expect([404, 410]).toContain(reply.status);
    // The customer writes again mid-erasure: a new customer, nothing added to the one being erased.
    await deliver(
      envelope({
        receivedAt: at(0),
        rawRef: 'test#/',
        customer: other,
        id: 'twilio:msg:SM-AGAIN',
        provider: 'twilio',
        channel: 'sms',
        kind: 'message',
        direction: 'inbound',
        providerMessageId: 'SM-AGAIN',
        occurredAt: at(0),
        contentType: 'text',
        text: 'writing again',
      }),
    );
    const again = await call('GET', `/api/customers?q=${encodeURIComponent(other.value)}`);
    const fresh = ((await again.json()) as { items: Customer[] }).items[0] as Customer;
    expect(fresh.id).not.toBe(heavy.id);
    while (!reports.at(-1)?.complete && reports.length < 20) {
      reports.push(await privacy.erase(heavy.id, 'admin-eve', at(0)));
    }
    // What the customer who wrote again owns is theirs; nothing else may name the number.
    const erasedOnly = (await scanTable(client, 'threadline')).filter(
      (item) => item.customerId !== fresh.id && !String(item.pk).includes(fresh.id),
    );
    const items = JSON.stringify(erasedOnly, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
    client.destroy();
    // An identity, a conversation and its membership, 12 timeline items and the 12 message references
    // that record where each item is: six calls of at most 5 deletes.
    expect(reports.length).toBe(6);
    expect(reports.slice(0, -1).every((r) => !r.complete)).toBe(true);
    expect(reports.at(-1)).toMatchObject({
      complete: true,
      identities: 1,
      conversations: 1,
      timelineItems: 12,
    });
    expect(items).not.toContain('heavy-secret');
    expect(items).not.toContain('4155550177');
    expect((await call('GET', `/api/customers/${heavy.id}`)).status).toBe(410);
  });

  it('erases the whole merged person, whichever of them is asked for, and names them all', async () => {
    const at = new Date().toISOString();
    const writes = (value: string, id: string) => smsText(value, id, 'merged-secret', { at });
    await deliver(writes('+14155550155', 'SM-T1'), writes('+14155550166', 'SM-S1'));
    const idOf = async (value: string) =>
      (
        (
          (await (await call('GET', `/api/customers?q=${encodeURIComponent(value)}`)).json()) as {
            items: Customer[];
          }
        ).items[0] as Customer
      ).id;
    const [target, source] = [await idOf('+14155550155'), await idOf('+14155550166')];
    expect((await call('POST', `/api/customers/${target}/merge`, { customerId: source })).status).toBe(200);

    // Asked to erase the one merged away: the person they were merged into goes too, and says so.
    const erased = await call('DELETE', `/api/customers/${source}`);
    expect(erased.status).toBe(200);
    const report = (await erased.json()) as { customerId: string; customerIds: string[]; customers: number };
    expect(report).toMatchObject({ customerId: source, customers: 2 });
    expect([...report.customerIds].sort()).toEqual([source, target].sort());
    expect((await call('GET', `/api/customers/${target}`)).status).toBe(410);
    const audit = (await (await call('GET', '/api/audit?limit=20')).json()) as {
      items: Array<{ action: string; outcome: string; customerIds: string[] }>;
    };
    const record = audit.items.find((item) => item.action === 'erase' && item.customerIds.includes(source));
    expect(record?.outcome).toBe('ok');
    // The one asked for first, then everyone else erased with them.
    expect(record?.customerIds).toEqual([source, target]);
  });
});
