import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { idleAfterLaterLooks, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';
import { envelope } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('erase-everything-admin');
const PHONE = '+447700900931';
const HANDLE = 'igsid-quill-9931';
const EMAIL = 'quill.erasmo@example.org';
/**
 * What names the person or holds what they said or were told: every text of theirs carries `quill`, as
 * do their name, handle and email; their phone number is sought by its digits (any form of it).
 */
const NEEDLES = [/quill/i, /7700900931/, /erasmo/i];
/**
 * The provider ids of their messages (a WhatsApp id in any form, the Instagram message's, the SES
 * mail's and its Message-ID): none may stay in a key or an attribute, an erased message's marker's
 * included (it is kept under a hash of the reference).
 */
const PROVIDER_IDS = [/wamid\./, /HBgM/, /mid\.Q6/, /ses-mail-1/, /m-1@mail\.example\.org/];
const MINUTE = 60_000;

/** Where something of the person was found: the place (item key or file), the needle and what is around it. */
type Leftover = { where: string; found: string };

/**
 * A WhatsApp message id as the Cloud API makes it: base64 of a record that holds the customer's number
 * (`wamid.HBgMNDQ3NzAwOTAwOTMx...` is `\x1c\x18\x0c447700900931...`).
 */
function wamid(n: number): string {
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, 0x0c]),
    Buffer.from(PHONE.slice(1)),
    Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, 0x14]),
    Buffer.from(`3EB0${String(n).padStart(16, '0')}`),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** The text, and what each WhatsApp message id in it says once decoded (the number it holds). */
function readable(text: string): string {
  const decoded = [...text.matchAll(/wamid\.([A-Za-z0-9+/=]{8,})/g)].map((m) =>
    Buffer.from(String(m[1]), 'base64').toString('latin1'),
  );
  return [text, ...decoded.map((d) => `[decoded wamid: ${d}]`)].join('\n');
}

function leftoversIn(where: string, text: string, needles: readonly RegExp[] = NEEDLES): Leftover[] {
  const found: Leftover[] = [];
  const all = readable(text);
  for (const needle of needles) {
    const match = needle.exec(all);
    if (!match) continue;
    const from = Math.max(0, match.index - 60);
    found.push({ where, found: all.slice(from, match.index + 60) });
  }
  return found;
}

/** Every file under `dir`, but the table's own files (dynalite's LevelDB: the table is read by Scan). */
function filesUnder(dir: string, skip: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skip(path)) return [];
    return statSync(path).isDirectory() ? filesUnder(path, skip) : [path];
  });
}

/**
 * One customer with every kind of data a real one has (three channels merged into one customer,
 * messages with an edited, a deleted and a late one, an attachment, agent and hand-off notes, a survey
 * answer, tags, a rename, webhook deliveries, an export written aside, the name index, the live log and
 * the change journal), erased by an admin; then everything the local runtime stores is read for them:
 * the whole table (Scan), every file under DATA_DIR (queues, timers, change journal, exports) and the
 * queues. Only what was sent out (the local outbox stands for the providers) may name them.
 */
describe('local runtime: an erasure leaves nothing of the customer anywhere the runtime stores', () => {
  let runtime: LocalRuntime;
  let dataDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stopped = false;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  /** The queues' time: a deletion that found no message looks again 60 s later. */
  const queueTime = new SteppedTimers();
  const iso = (msAgo = 0) => new Date(manual.now() - msAgo).toISOString();
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const answer = await call(method, path, body);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    return answer.body;
  };
  const send = async (...envelopes: Envelope[]) => {
    await runtime.inbound.send(envelopes.map((e) => JSON.stringify(e)));
    await idleAfterLaterLooks(runtime, queueTime);
  };
  const whatsapp = (id: string, text: string, extra: Record<string, unknown> = {}) =>
    envelope({
      id: `whatsapp:msg:${id}`,
      provider: 'whatsapp',
      channel: 'whatsapp',
      kind: 'message',
      direction: 'inbound',
      providerMessageId: id,
      occurredAt: iso(),
      receivedAt: iso(),
      providerTime: true,
      rawRef: `whatsapp:test#/${id}`,
      customer: { kind: 'phone', value: PHONE },
      profileName: 'Quill Erasmo',
      contentType: 'text',
      text,
      raw: { from: PHONE.slice(1), id, text: { body: text } },
      ...extra,
    });
  const act = (kind: 'edit' | 'delete', id: string, target: string, text?: string) =>
    envelope({
      id: `whatsapp:${kind}:${id}`,
      provider: 'whatsapp',
      channel: 'whatsapp',
      kind,
      providerMessageId: id,
      targetMessageId: target,
      occurredAt: iso(),
      receivedAt: iso(),
      rawRef: `whatsapp:test#/${id}`,
      customer: { kind: 'phone', value: PHONE },
      ...(text ? { text } : {}),
      raw: { from: PHONE.slice(1), id, target, ...(text ? { text } : {}) },
    });
  /** Where the person is still found: every item of the table, then every file under DATA_DIR. */
  const findings = async (options: { stop?: boolean } = {}): Promise<Leftover[]> => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    const json = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) => (v instanceof Set ? [...v] : v));
    // Every item, keys included: an erased message's marker (kept 14 days so a retry of the message
    // is dropped) is keyed on a hash of the reference, so no WhatsApp id there decodes to the number.
    const found = items.flatMap((item) =>
      leftoversIn(`table ${String(item.pk)} ${String(item.sk)}`, json(item), [...NEEDLES, ...PROVIDER_IDS]),
    );
    if (options.stop) {
      await runtime.close();
      stopped = true;
    }
    // The queues, the timers, the change journal, the exports: files once the runtime runs on DATA_DIR.
    // Not the table's own files (LevelDB, read above by Scan; they keep what was deleted until
    // LevelDB compacts them), nor the local outbox: what was sent cannot be called back, and the
    // outbox stands for the providers' copies.
    const skip = (path: string) =>
      path === join(dataDir, 'dynamodb') || path === join(dataDir, 'outbox.jsonl');
    for (const file of filesUnder(dataDir, skip)) {
      found.push(...leftoversIn(`file ${relative(dataDir, file)}`, readFileSync(file, 'utf8')));
    }
    return found;
  };
  const idOf = async (kind: 'phone' | 'instagram' | 'email', value: string) =>
    String(await runtime.store.customers.findCustomerId({ kind, value }, { consistent: true }));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-erase-all-'));
    receiver = await startReceiver(() => 200);
    runtime = await startTestRuntime({
      persist: true,
      env: {
        DATA_DIR: dataDir,
        AGENT_TOKENS: `admin-eve:${ADMIN}:admin`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile((policy) => {
          policy.csat = { enabled: true, delay: 'PT10M', question: 'How did we do?' };
        }),
        PUBLIC_BASE_URL: 'https://support.example',
        CSAT_SIGNING_SECRET: 'erase-everything-signing-secret-0123456789',
        // Every export is written aside: a file under DATA_DIR.
        EXPORT_INLINE_BYTES: '1',
      },
      routing: true,
      events: true,
      live: true,
      manualTime: manual,
      webhookTimers: manual,
      queue: { visibilityTimeoutMs: 500, timers: queueTime },
    });
  });

  afterAll(async () => {
    if (!stopped) await runtime?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds none of their text, phone, email, handle or name in the table, DATA_DIR or the queues', async () => {
    const subscription = await ok('POST', '/api/webhooks', {
      url: receiver.url,
      events: [
        'message.received',
        'message.sent',
        'conversation.opened',
        'customer.created',
        'csat.received',
      ],
    });
    expect(subscription.id).toEqual(expect.any(String));

    // WhatsApp: a first message, one asking for a person (a hand-off note quotes it), one edited, one
    // deleted, one with an attachment.
    await send(whatsapp(wamid(1), 'quill-first: where is my parcel?'));
    await send(whatsapp(wamid(2), 'I want to talk to a human about quill-handoff order'));
    await send(whatsapp(wamid(3), 'quill-before-edit text'));
    manual.advance(5_000);
    await send(act('edit', wamid(103), wamid(3), 'quill-after-edit text'));
    await send(whatsapp(wamid(4), 'quill-deleted text'));
    manual.advance(5_000);
    await send(act('delete', wamid(104), wamid(4)));
    // Deletions that came before their messages: one that came after (stored without its words), one
    // that never comes (its reference marked, and a note of the mark under the customer).
    await send(act('delete', wamid(110), wamid(10)));
    await send(whatsapp(wamid(10), 'quill-marked text'));
    await send(act('delete', wamid(111), wamid(11)));
    await send(
      whatsapp(wamid(5), 'quill-caption', {
        contentType: 'image',
        attachments: [
          { kind: 'image', mediaId: 'media-quill-1', caption: 'quill-caption', filename: 'quill.jpg' },
        ],
      }),
    );
    const customerId = await idOf('phone', PHONE);

    // Instagram and email: customers of their own, merged into the WhatsApp one.
    await send(
      envelope({
        id: 'instagram:msg:mid.Q6',
        provider: 'meta',
        channel: 'instagram',
        kind: 'message',
        direction: 'inbound',
        providerMessageId: 'mid.Q6',
        occurredAt: iso(),
        receivedAt: iso(),
        rawRef: 'instagram:test#/mid.Q6',
        customer: { kind: 'instagram', value: HANDLE },
        profileName: 'quill.erasmo.ig',
        contentType: 'text',
        text: 'quill-instagram hello',
        raw: { sender: { id: HANDLE }, message: { mid: 'mid.Q6', text: 'quill-instagram hello' } },
      }),
    );
    const mail = sesReceived({
      sesId: 'ses-mail-1',
      at: iso(),
      from: `Quill Erasmo <${EMAIL}>`,
      messageId: '<m-1@mail.example.org>',
      subject: 'quill-subject',
      text: 'quill-email body, call me on +44 7700 900931',
    });
    expect(
      (await deliver(signedSes(runtime.url, snsNotification(mail, { snsId: 'sns-quill-1', at: iso() }))))
        .status,
    ).toBe(200);
    await runtime.idle();
    const instagramId = await idOf('instagram', HANDLE);
    const emailId = await idOf('email', EMAIL);
    await ok('POST', `/api/customers/${customerId}/merge`, { customerId: instagramId });
    await ok('POST', `/api/customers/${customerId}/merge`, { customerId: emailId });

    // The agent: a note, tags, a rename, a reply; then a resolve, the survey and its answer.
    const profile = (await ok('GET', `/api/customers/${customerId}`)) as unknown as Customer;
    const conversationId = String(profile.openConversationId);
    await ok('POST', `/api/conversations/${conversationId}/notes`, {
      text: `quill-note: called ${PHONE}, wants a refund`,
    });
    await ok('PATCH', `/api/customers/${customerId}/tags`, { add: ['quill-tag'] });
    await ok('PATCH', `/api/customers/${customerId}`, { name: 'Quill Renamed' });
    await ok('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'quill-reply: your parcel left today',
      channel: 'whatsapp',
    });
    await runtime.idle();
    const resolvedAt = manual.now();
    await ok('POST', `/api/conversations/${conversationId}/resolve`);
    await runtime.idle();
    manual.advance(10 * MINUTE);
    await runtime.idle();
    await send(whatsapp(wamid(7), '5 quill-survey-comment'));
    // A message timed before the resolve, received after it: it reopens the conversation late.
    await send(
      whatsapp(wamid(8), 'quill-late words', { occurredAt: new Date(resolvedAt - 1000).toISOString() }),
    );
    await send(whatsapp(wamid(9), 'quill-after-late: anyone?'));
    // A timer still to come when the erasure runs: the snooze's wake-up.
    await ok('POST', `/api/conversations/${conversationId}/snooze`, {
      until: new Date(manual.now() + 60 * MINUTE).toISOString(),
    });

    // An export written aside, and a search by name.
    expect((await call('GET', `/api/customers/${customerId}/export`)).status).toBe(202);
    expect((await ok('GET', '/api/customers?q=Quill')).items).not.toEqual([]);
    await runtime.idle();

    // Everything is there before: in the table, the change journal, the export written aside, the
    // integrator's deliveries and the outbox.
    const before = await findings();
    for (const where of [
      'table CUSTOMER#',
      'table WEBHOOK_DELIVERY#',
      'table LIVE#',

      'file exports/',
    ]) {
      expect(
        before.some((left) => left.where.startsWith(where)),
        where,
      ).toBe(true);
    }
    expect(receiver.received.some((r) => r.body.includes('quill-first'))).toBe(true);
    expect(runtime.outbox.entries().some((e) => e.message.text?.includes('quill-reply'))).toBe(true);

    // An erasure that stopped part-way (a call that spent its deletes, as a heavy customer's does),
    // carried on by an admin's calls until it completes.
    const client = inspectionClient(runtime.dynamoEndpoint);
    const partial = privacyRepository({ doc: documentClient(client), table: 'threadline' }, runtime.store, {
      deletesPerCall: 10,
    });
    expect((await partial.erase(customerId, 'admin-eve', iso())).complete).toBe(false);
    client.destroy();
    let erased = await call('DELETE', `/api/customers/${customerId}`);
    for (let calls = 1; erased.status === 202 && calls < 20; calls++) {
      erased = await call('DELETE', `/api/customers/${customerId}`);
    }
    expect(erased.status).toBe(200);
    await runtime.idle();
    // Every timer set before the erasure comes due after it (wake-ups, surveys, targets, auto-resolve).
    manual.advance(48 * 60 * MINUTE);
    await runtime.idle();

    await runtime.feed?.idle();
    await runtime.webhooks?.idle();
    // The erased messages' markers are there (a retry is dropped), keyed on a hash alone.
    const inspect = inspectionClient(runtime.dynamoEndpoint);
    const markers = (await scanTable(inspect, 'threadline')).filter(
      (item) => item.entity === 'erased_message',
    );
    inspect.destroy();
    expect(markers.length).toBeGreaterThan(0);
    expect(markers.every((item) => /^ERASED#[0-9a-f]{64}$/.test(String(item.pk)))).toBe(true);
    // The table as it is, then every file the runtime leaves behind once stopped.
    const left = await findings({ stop: true });
    expect(left).toEqual([]);
  }, 180_000);
});
