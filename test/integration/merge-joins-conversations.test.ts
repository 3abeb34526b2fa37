import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCustomers } from '#shared/app/merge-customers.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { adminPorts, dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { type CapacityMeter, meterClient } from '../support/capacity-meter.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  snsNotification,
  whatsappText,
} from '../support/webhooks.js';

const TOKEN = agentToken('merge-joins-admin-token');

type Profile = Customer & { openConversation?: Conversation | null };

/**
 * One person, two profiles: Quinn writes on WhatsApp, is answered there, then emails photos from an
 * address nobody knows yet (a customer of its own, waiting). An admin merges the email customer into
 * the phone one. QA: the kept conversation stayed WhatsApp only (the inbox's email filter missed it,
 * the survey went on WhatsApp), the email conversation stayed open on the merged-away profile (the
 * kept profile showed none once its own was resolved), and an email answer in the kept conversation
 * started a new mail thread ("Your message", no In-Reply-To).
 */
describe('local runtime: a merge joins the merged-in open conversation', () => {
  let runtime: LocalRuntime;
  let meter: CapacityMeter;
  const calls: RecordedCall[] = [];
  const manual = new ManualTimers(Date.UTC(2026, 11, 4, 9, 0));

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-merge-joins:${TOKEN}:admin` },
      manualTime: manual,
      dynamoClient: (c) => {
        meter = meterClient(c);
        recordCalls(c, calls, { writesOnly: true });
        return c;
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const now = () => new Date(manual.now()).toISOString();
  const whatsapp = async (phone: string, id: string, text: string) => {
    manual.advance(1000);
    const body = whatsappText({ from: phone, messages: [{ id, at: now(), text }] });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const email = async (sesId: string, from: string, subject: string) => {
    manual.advance(1000);
    const notification = sesReceived({
      sesId,
      at: now(),
      from,
      messageId: `<${sesId}@mail.example>`,
      subject,
      text: 'Here are the photos',
    });
    const res = await deliver(
      signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at: now() })),
    );
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const profile = (id: string) => api<Profile>('GET', `/api/customers/${id}`);
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);
  const reply = async (conversationId: string, text: string) => {
    manual.advance(1000);
    await api('POST', `/api/conversations/${conversationId}/replies`, { text, channel: 'email' });
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => e.message.text === text);
    expect(sent).toHaveLength(1);
    return sent[0]?.message;
  };
  const listed = async (channel: string, conversationId: string) =>
    (
      await api<{ items: Conversation[] }>(
        'GET',
        `/api/conversations?status=open&channel=${channel}&limit=200`,
      )
    ).items.some((c) => c.id === conversationId);
  /** Quinn on WhatsApp (answered there), then by email: the two customers and their conversations. */
  const quinn = async (n: number) => {
    const phone = `4477009000${n}`;
    const mail = `quinn${n}@mail.example`;
    await whatsapp(phone, `wamid.QJ${n}`, 'Hello, my parcel arrived damaged');
    const phoneCustomer = await reads.find(`+${phone}`);
    const kept = phoneCustomer.openConversationId as string;
    manual.advance(1000);
    await api('POST', `/api/conversations/${kept}/replies`, {
      text: `Sorry ${n}! Email the photos`,
      channel: 'whatsapp',
    });
    await runtime.idle();
    await email(`q${n}`, `Quinn <${mail}>`, 'Photos of damaged parcel');
    const mailCustomer = await reads.find(mail);
    return {
      phone,
      mail,
      kept,
      target: phoneCustomer.id,
      source: mailCustomer.id,
      merged: mailCustomer.openConversationId as string,
    };
  };

  it('joins the waiting email conversation into the answered WhatsApp one: channels, wait, thread', async () => {
    const q = await quinn(1);
    expect((await conversation(q.kept)).waitingSince).toBeUndefined();
    const emailWaits = (await conversation(q.merged)).waitingSince;
    expect(emailWaits).toBeDefined();
    manual.advance(1000);
    meter.reset();
    calls.length = 0;
    await api('POST', `/api/customers/${q.target}/merge`, { customerId: q.source });
    await runtime.idle();
    const figures = meter.figures();
    const writes = [...calls];

    const kept = await profile(q.target);
    expect(kept.openConversationId).toBe(q.kept);
    const joined = await conversation(q.kept);
    expect([...joined.channels].sort()).toEqual(['email', 'whatsapp']);
    expect(joined.channelSwitch).toBe(true);
    // The customer's last message was the email: a survey after the resolve asks there.
    expect(joined.channel).toBe('email');
    // Quinn's email waits for an answer in the kept conversation now.
    expect(joined.waitingSince).toBe(emailWaits);
    expect((await conversation(q.merged)).status).toBe('resolved');
    expect(await listed('email', q.kept)).toBe(true);
    expect(await listed('whatsapp', q.kept)).toBe(true);
    expect(await listed('email', q.merged)).toBe(false);

    const answer = await reply(q.kept, 'Thanks for the photos, refund on its way');
    expect(answer?.to).toEqual({ kind: 'email', value: q.mail });
    expect(answer?.email).toMatchObject({
      subject: 'Photos of damaged parcel',
      inReplyTo: '<q1@mail.example>',
      references: ['<q1@mail.example>'],
    });
    // The answer answers Quinn in the kept conversation.
    expect((await conversation(q.kept)).waitingSince).toBeUndefined();
    // What the merge cost, its quiet resolve and the join included.
    // What the merge wrote: the join is three writes of the kept conversation (its channels and the
    // joined one's id; its channel; its wait), two units each (one each before the conversation kept its
    // first wait's start, `firstWaitFrom`, and its language, `language`: 47 bytes that take this item,
    // near 1 KB with the joined one's id, past it), beside the quiet resolve's four (note,
    // conversation, profile, event) and the merge's own 18; no item is read more than before but the two
    // conversations the quiet resolve read already.
    const on = (pk: string) => writes.filter((c) => c.pk === pk);
    expect(on(`CONVERSATION#${q.kept}`).map((c) => [c.command, c.failed, c.units])).toEqual([
      ['UpdateItem', false, 2],
      ['UpdateItem', false, 2],
      ['UpdateItem', false, 2],
    ]);
    expect(writes).toHaveLength(25);
    expect(figures.byCommand).toEqual({
      GetItemCommand: 9,
      UpdateItemCommand: 11,
      DeleteItemCommand: 4,
      PutItemCommand: 8,
    });
  }, 60_000);

  it('makes the merged-in open conversation the kept profile’s when the kept one has none open', async () => {
    const q = await quinn(2);
    manual.advance(1000);
    await api('POST', `/api/conversations/${q.kept}/resolve`);
    manual.advance(1000);
    calls.length = 0;
    await api('POST', `/api/customers/${q.target}/merge`, { customerId: q.source });
    await runtime.idle();
    // Taking the conversation is three writes (it names the kept customer, whose profile holds it, and
    // the merged-away profile lets go of it), where the merge left it before.
    expect(calls.slice(-3).map((c) => [c.command, c.pk, c.failed, c.units])).toEqual([
      ['UpdateItem', `CONVERSATION#${q.merged}`, false, 1],
      ['UpdateItem', `CUSTOMER#${q.target}`, false, 1],
      ['UpdateItem', `CUSTOMER#${q.source}`, false, 1],
    ]);
    expect(calls.filter((c) => c.pk.startsWith('CONVERSATION#'))).toHaveLength(1);

    const kept = await profile(q.target);
    expect(kept.openConversationId).toBe(q.merged);
    expect(kept.openConversation?.status).toBe('open');
    expect((await profile(q.source)).openConversationId).toBeUndefined();
    const adopted = await conversation(q.merged);
    expect(adopted.customerId).toBe(q.target);

    const answer = await reply(q.merged, 'Refund on its way');
    expect(answer?.email).toMatchObject({
      subject: 'Photos of damaged parcel',
      inReplyTo: '<q2@mail.example>',
    });
    expect((await conversation(q.merged)).waitingSince).toBeUndefined();

    // Quinn's next WhatsApp message lands in that conversation, not a new one.
    await whatsapp(q.phone, 'wamid.QJ2b', 'Did you get them?');
    expect((await profile(q.target)).openConversationId).toBe(q.merged);
    expect([...(await conversation(q.merged)).channels].sort()).toEqual(['email', 'whatsapp']);
    // Resolved, it lets go of the kept profile (the next message opens or reopens as usual).
    await api('POST', `/api/conversations/${q.merged}/resolve`);
    expect((await profile(q.target)).openConversationId).toBeUndefined();
  }, 60_000);
  /** Asks for the merge through a client that crashes after its `k`th write: whether it got through. */
  const mergeCrashingAfter = async (k: number, targetId: string, sourceId: string) => {
    const faults = new DynamoFaults({ crashAfterWrite: k });
    const repos = dynamoRepositories(
      documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))),
      'threadline',
    );
    const deps = {
      store: storePorts(repos),
      admin: adminPorts(repos),
      audit: repos.audit,
      clock: { now: () => new Date(manual.now()) },
    };
    return mergeCustomers(deps, { targetId, sourceId, agentId: 'admin-merge-joins' }).then(
      () => true,
      (error) => {
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return false;
      },
    );
  };
  /** The note and the resolve event of the merged-in conversation on the timeline (each once). */
  const joinMarks = async (customerId: string, conversationId: string) =>
    (await reads.timeline(customerId))
      .map((item) => item.id)
      .filter((id) => id === `note:merged:${conversationId}` || id.startsWith(`resolved:${conversationId}:`));

  it('ends joined however often the merge crashed after one of its writes and was asked again', async () => {
    let crashes = 0;
    // The merge's own writes are merge-crash.test.ts's: from its last ones on, through the join's and
    // the quiet resolve's, until a merge gets through.
    for (let k = 16; k < 40; k++) {
      const q = await quinn(10 + k);
      const emailWaits = (await conversation(q.merged)).waitingSince;
      manual.advance(1000);
      if (await mergeCrashingAfter(k, q.target, q.source)) break;
      crashes += 1;
      await api('POST', `/api/customers/${q.target}/merge`, { customerId: q.source });
      await runtime.idle();
      const joined = await conversation(q.kept);
      expect([...joined.channels].sort(), `crash after write ${k}`).toEqual(['email', 'whatsapp']);
      expect(joined.mergedConversationIds, `crash after write ${k}`).toEqual([q.merged]);
      expect(joined.waitingSince, `crash after write ${k}`).toBe(emailWaits);
      expect((await conversation(q.merged)).status, `crash after write ${k}`).toBe('resolved');
      expect((await profile(q.target)).openConversationId, `crash after write ${k}`).toBe(q.kept);
      expect((await profile(q.source)).openConversationId, `crash after write ${k}`).toBeUndefined();
      expect(await joinMarks(q.target, q.merged), `crash after write ${k}`).toHaveLength(2);
    }
    expect(crashes).toBeGreaterThan(8);
  }, 300_000);

  it('ends with the kept customer holding the conversation however often the merge crashed and was asked again', async () => {
    let crashes = 0;
    for (let k = 16; k < 40; k++) {
      const q = await quinn(50 + k);
      manual.advance(1000);
      await api('POST', `/api/conversations/${q.kept}/resolve`);
      manual.advance(1000);
      if (await mergeCrashingAfter(k, q.target, q.source)) break;
      crashes += 1;
      await api('POST', `/api/customers/${q.target}/merge`, { customerId: q.source });
      await runtime.idle();
      expect((await profile(q.target)).openConversationId, `crash after write ${k}`).toBe(q.merged);
      expect((await profile(q.source)).openConversationId, `crash after write ${k}`).toBeUndefined();
      const taken = await conversation(q.merged);
      expect([taken.customerId, taken.status], `crash after write ${k}`).toEqual([q.target, 'open']);
    }
    expect(crashes).toBeGreaterThan(2);
  }, 300_000);
});
