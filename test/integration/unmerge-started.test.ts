import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { receiveMail } from '../support/ses-mail.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = 'unmerge-started-admin-token';
const AGENT = 'admin-unmerge-started';
const DAYS_4 = 4 * 24 * 60 * 60 * 1000;

type Export = {
  customers: Array<{ id: string; conversationIds?: string[] }>;
  conversations: Array<{ id: string }>;
};

/**
 * Zoe writes on WhatsApp and Eve by email, each resolved. Days later an admin merges Eve into Zoe by
 * mistake, and Eve emails about her invoice: a new conversation, Zoe's (the profile her address now
 * resolves to). The admin unmerges. QA: Eve's messages went back to her, but the conversation they
 * are in stayed Zoe's open one (Zoe's next WhatsApp message landed in Eve's invoice thread, and Eve's
 * next email started yet another conversation); only Zoe's export listed it.
 */
describe('local runtime: an unmerge gives back the conversation the returning customer started while merged', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Date.UTC(2026, 11, 1, 9, 0));

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `${AGENT}:${TOKEN}:admin` },
      manualTime: manual,
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
  const email = async (sesId: string, from: string, text: string) => {
    manual.advance(1000);
    await receiveMail(runtime, { sesId, at: now(), from, subject: 'My invoice', text });
  };
  const profile = (id: string) => api<Customer>('GET', `/api/customers/${id}`);
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);
  const exported = async (id: string) =>
    (await api<Export>('GET', `/api/customers/${id}/export`)).conversations.map((c) => c.id);

  /** Zoe and Eve, each resolved, merged days later; Eve writes while merged: a conversation Zoe's profile holds. */
  const mergedThenWritten = async (n: number) => {
    const phone = `44770093${String(n).padStart(3, '0')}`;
    const mail = `eve${n}@mail.example`;
    await whatsapp(phone, `wamid.ZO${n}`, 'Is the shop open on Sunday?');
    const zoe = await reads.find(`+${phone}`);
    await api('POST', `/api/conversations/${zoe.openConversationId}/resolve`);
    await email(`ev${n}`, `Eve <${mail}>`, 'Thanks for the parcel');
    const eve = await reads.find(mail);
    await api('POST', `/api/conversations/${eve.openConversationId}/resolve`);
    manual.advance(DAYS_4);
    await api('POST', `/api/customers/${zoe.id}/merge`, { customerId: eve.id });
    await runtime.idle();
    await email(`ew${n}`, `Eve <${mail}>`, 'My invoice shows the wrong address');
    const started = (await profile(zoe.id)).openConversationId as string;
    expect(await conversation(started)).toMatchObject({ customerId: zoe.id, status: 'open' });
    return { phone, mail, started, target: zoe.id, source: eve.id };
  };
  const expectGivenBack = async (r: { started: string; target: string; source: string }) => {
    expect(await conversation(r.started)).toMatchObject({ customerId: r.source, status: 'open' });
    expect((await profile(r.source)).openConversationId).toBe(r.started);
    expect((await profile(r.target)).openConversationId).toBeUndefined();
    expect(await exported(r.source)).toContain(r.started);
    expect(await exported(r.target)).not.toContain(r.started);
  };

  it('names the returning customer again, with its membership and their profile; the kept one lets go', async () => {
    const r = await mergedThenWritten(1);
    manual.advance(1000);
    await api('POST', `/api/customers/${r.target}/unmerge`, { customerId: r.source });
    await runtime.idle();
    await expectGivenBack(r);

    // Eve's next email continues her conversation; Zoe's next message opens one of her own.
    await email('ex1', `Eve <${r.mail}>`, 'Any news?');
    expect((await profile(r.source)).openConversationId).toBe(r.started);
    await whatsapp(r.phone, 'wamid.ZO1b', 'Hello again');
    const zoeOpen = (await profile(r.target)).openConversationId;
    expect(zoeOpen).toBeDefined();
    expect(zoeOpen).not.toBe(r.started);
    expect((await conversation(zoeOpen as string)).customerId).toBe(r.target);
  }, 60_000);

  it('leaves it the kept customer’s when they wrote in it too', async () => {
    const r = await mergedThenWritten(2);
    await whatsapp(r.phone, 'wamid.ZO2b', 'Also, my order 88?');
    expect((await profile(r.target)).openConversationId).toBe(r.started);
    manual.advance(1000);
    await api('POST', `/api/customers/${r.target}/unmerge`, { customerId: r.source });
    await runtime.idle();
    expect(await conversation(r.started)).toMatchObject({ customerId: r.target, status: 'open' });
    expect((await profile(r.target)).openConversationId).toBe(r.started);
    expect((await profile(r.source)).openConversationId).toBeUndefined();
  }, 60_000);

  it('converges when the unmerge crashes after any of its writes and is called again', async () => {
    let crashes = 0;
    for (let k = 1; k < 60; k++) {
      const r = await mergedThenWritten(k + 10);
      const faults = new DynamoFaults({ crashAfterWrite: k });
      const crashing = dynamoRepositories(
        documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))),
        'threadline',
      );
      manual.advance(1000);
      const first = await crashing.merges.unmerge(r.target, r.source, AGENT, now()).catch((error) => {
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return undefined;
      });
      if (first) {
        // k is past the unmerge's last write: every crash point was tried.
        expect(faults.crashed).toBe(false);
        await expectGivenBack(r);
        break;
      }
      crashes += 1;
      manual.advance(1000);
      await api('POST', `/api/customers/${r.target}/unmerge`, { customerId: r.source });
      await runtime.idle();
      await expectGivenBack(r);
    }
    expect(crashes).toBeGreaterThan(10);
  }, 400_000);
});
