import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
  whatsappStatus,
  whatsappText,
} from '../support/webhooks.js';

const TOKEN = agentToken('unmerge-replies-admin-token');
const SITE = 'https://shop.acme.example';

/**
 * QA: a phone customer merged into an email customer, answered on WhatsApp and by SMS (to the phone
 * customer's number), then the merge undone: both answers stayed on the email customer's timeline,
 * export and signed-in web chat, and were missing from the phone customer's. A reply now records where
 * it went (`to`) on every channel, and an unmerge gives back the replies that went to the returning
 * customer's addresses, through the local runtime (routing off: the agent answers).
 */
describe('local runtime: an unmerge gives back the replies sent to the returning customer', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        AGENT_TOKENS: `admin-rita:${TOKEN}:admin`,
        WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
        WEBCHAT_ALLOWED_ORIGINS: SITE,
      },
      manualTime: manual,
      routing: false,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const tick = () => {
    manual.advance(1000);
    return new Date(manual.now()).toISOString();
  };
  const email = async (from: string, sesId: string) => {
    const at = tick();
    const notification = sesReceived({
      sesId,
      at,
      from,
      messageId: `<${sesId}@acme.example>`,
      text: 'Zip broke',
    });
    expect(
      (await deliver(signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at }))))
        .status,
    ).toBe(200);
    await runtime.idle();
  };
  const whatsapp = async (from: string, id: string) => {
    const body = whatsappText({ from, messages: [{ id, at: tick(), text: `WhatsApp ${id}` }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
  };
  const sms = async (from: string, sid: string) => {
    tick();
    const params = twilioSms({ sid, from, text: `SMS ${sid}` });
    const res = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
    expect(res.status).toBeLessThan(300);
    await runtime.idle();
  };
  const reply = async (conversationId: string, body: Record<string, unknown>, key?: string) => {
    tick();
    const res = await fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await runtime.idle();
  };
  const texts = (items: TimelineItem[]) =>
    items.filter((item) => item.type === 'message' && item.direction === 'outbound').map((item) => item.text);

  /** An email customer and a phone customer (WhatsApp and SMS), the phone one merged into the email one. */
  const merged = async (tag: string, phone: string) => {
    const mail = `eve.${tag}@acme.example`;
    await email(mail, `${tag}-1`);
    await whatsapp(phone, `wamid.${tag}-1`);
    await sms(`+${phone}`, `SM${tag}1`);
    const [eve, phoneCustomer] = await Promise.all([reads.find(mail), reads.find(`+${phone}`)]);
    expect(eve.id).not.toBe(phoneCustomer.id);
    tick();
    await api('POST', `/api/customers/${eve.id}/merge`, { customerId: phoneCustomer.id });
    await runtime.idle();
    const conversationId = (await api<Customer>('GET', `/api/customers/${eve.id}`))
      .openConversationId as string;
    return { eve: eve.id, phone: phoneCustomer.id, mail, conversationId };
  };

  it('moves the WhatsApp and SMS answers to the phone customer: timeline, export, signed-in chat, a later status', async () => {
    const phone = '447700900451';
    const ids = await merged('r1', phone);
    await reply(ids.conversationId, { text: 'Answer on WhatsApp', channel: 'whatsapp' });
    await reply(ids.conversationId, { text: 'Answer by SMS', channel: 'sms' });
    await reply(ids.conversationId, { text: 'Answer by email', channel: 'email' });
    const sent = runtime.outbox.entries().filter((entry) => entry.message.customerId === ids.eve);
    const byText = (text: string) => sent.find((entry) => entry.message.text === text);
    expect(byText('Answer on WhatsApp')?.message.to).toEqual({ kind: 'phone', value: `+${phone}` });
    expect(byText('Answer by SMS')?.message.to).toEqual({ kind: 'phone', value: `+${phone}` });
    // Each reply's item says where it went, as email and web-chat replies did.
    const whileMerged = await reads.timeline(ids.eve);
    expect(whileMerged.find((item) => item.text === 'Answer by SMS')?.to).toEqual({
      kind: 'phone',
      value: `+${phone}`,
    });

    // Eve signed in on the site's chat: her history shows her customer's timeline, every channel.
    const chat = visitorClient(runtime.url, SITE);
    const started = await chat.session({ identityToken: identityToken({ sub: 'eve-r1', email: ids.mail }) });
    const { sessionToken } = (await started.json()) as { sessionToken: string };
    const history = async () =>
      (
        (await (await chat.history(sessionToken)).json()) as { messages: Array<{ text: string }> }
      ).messages.map((m) => m.text);
    expect(await history()).toContain('Answer on WhatsApp');

    tick();
    await api('POST', `/api/customers/${ids.eve}/unmerge`, { customerId: ids.phone });
    await runtime.idle();
    expect(await history()).not.toContain('Answer on WhatsApp');
    expect(await history()).not.toContain('Answer by SMS');
    expect(texts(await reads.timeline(ids.phone)).sort()).toEqual(['Answer by SMS', 'Answer on WhatsApp']);
    expect(texts(await reads.timeline(ids.eve))).toEqual(['Answer by email']);
    const exported = await api<{ timeline: TimelineItem[] }>('GET', `/api/customers/${ids.phone}/export`);
    expect(texts(exported.timeline).sort()).toEqual(['Answer by SMS', 'Answer on WhatsApp']);
    const eveExport = await api<{ timeline: TimelineItem[] }>('GET', `/api/customers/${ids.eve}/export`);
    expect(texts(eveExport.timeline)).toEqual(['Answer by email']);

    // Its status still names the kept customer's partition in its key: it reaches the moved answer.
    const answer = byText('Answer on WhatsApp');
    if (!answer?.providerMessageId) throw new Error('the WhatsApp answer was not sent');
    const status = whatsappStatus({
      id: answer.providerMessageId,
      status: 'read',
      at: tick(),
      recipient: phone,
      callbackData: answer.replyKey,
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', status, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    const moved = (await reads.timeline(ids.phone)).find((item) => item.text === 'Answer on WhatsApp');
    expect(moved).toMatchObject({ customerId: ids.phone, status: 'read' });
  });

  it('answers a retried request with the first reply, in its new place: not written again, not sent twice', async () => {
    // Two people texting, one merged into the other: the answer goes to the later one's number.
    await sms('+447700900461', 'SMk1');
    await sms('+447700900462', 'SMs1');
    const [kept, source] = await Promise.all([reads.find('+447700900461'), reads.find('+447700900462')]);
    tick();
    await api('POST', `/api/customers/${kept.id}/merge`, { customerId: source.id });
    const conversationId = (await api<Customer>('GET', `/api/customers/${kept.id}`))
      .openConversationId as string;
    await reply(conversationId, { text: 'Your slot is moved', channel: 'sms' }, 'key-sms-1');
    const first = runtime.outbox.entries().find((entry) => entry.message.text === 'Your slot is moved');
    expect(first?.message.to).toEqual({ kind: 'phone', value: '+447700900462' });
    tick();
    await api('POST', `/api/customers/${kept.id}/unmerge`, { customerId: source.id });
    await runtime.idle();
    expect(texts(await reads.timeline(source.id))).toEqual(['Your slot is moved']);

    // The same request again (the kept customer can still be texted, on its own number).
    const outboxBefore = runtime.outbox.entries().length;
    await reply(conversationId, { text: 'Your slot is moved', channel: 'sms' }, 'key-sms-1');
    expect(runtime.outbox.entries()).toHaveLength(outboxBefore);
    expect(texts(await reads.timeline(kept.id))).toEqual([]);
    expect(texts(await reads.timeline(source.id))).toEqual(['Your slot is moved']);
  });

  it('converges when the unmerge crashes after any of its writes and is called again', async () => {
    let crashes = 0;
    for (let k = 1; k < 60; k++) {
      const phone = `4477009005${String(k).padStart(2, '0')}`;
      const ids = await merged(`c${k}`, phone);
      await reply(ids.conversationId, { text: `WhatsApp answer ${k}`, channel: 'whatsapp' }, `key-c${k}`);
      const faults = new DynamoFaults({ crashAfterWrite: k });
      const crashing = dynamoRepositories(
        documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))),
        'threadline',
      );
      const first = await crashing.merges
        .unmerge(ids.eve, ids.phone, 'admin-rita', new Date(manual.now()).toISOString())
        .catch((error) => {
          if (!(error.cause instanceof SimulatedCrash)) throw error;
          return undefined;
        });
      if (!first) {
        crashes += 1;
        await api('POST', `/api/customers/${ids.eve}/unmerge`, { customerId: ids.phone });
      } else expect(faults.crashed).toBe(false);
      const items = await scanTable(inspectionClient(runtime.dynamoEndpoint), 'threadline');
      const copies = items.filter(
        (item) => item.text === `WhatsApp answer ${k}` && String(item.sk).includes('reply:'),
      );
      expect(copies.map((item) => item.pk)).toEqual([`CUSTOMER#${ids.phone}`]);
      const reference = items.find((item) => item.pk === `MESSAGE#whatsapp#${copies[0]?.providerMessageId}`);
      expect(reference).toMatchObject({ customerId: ids.phone, timelineSk: copies[0]?.sk });
      const record = items.find(
        (item) => String(item.pk).startsWith('REPLY#') && item.customerId === ids.phone,
      );
      expect(record).toBeDefined();
      if (first) break;
    }
    expect(crashes).toBeGreaterThan(10);
  }, 180_000);
});
