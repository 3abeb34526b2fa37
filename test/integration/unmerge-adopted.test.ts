import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { receiveMail } from '../support/ses-mail.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = 'unmerge-adopted-admin-token';
const AGENT = 'admin-unmerge-adopted';

/**
 * Rhea writes on WhatsApp and is answered and resolved; an email from an address nobody knows is a
 * customer of its own, waiting. An admin merges the email customer into the phone one, which has no open
 * conversation: the email conversation becomes the phone customer's. They were two people: the admin
 * unmerges. QA: the email conversation still named the phone customer and stayed its open conversation
 * (its next WhatsApp message landed there), while its messages went back to the email customer, whose
 * profile held no open conversation (their next email started a new one).
 */
describe('local runtime: an unmerge gives back the conversation the merge gave the kept customer', () => {
  let runtime: LocalRuntime;
  const calls: RecordedCall[] = [];
  const manual = new ManualTimers(Date.UTC(2026, 11, 6, 9, 0));

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `${AGENT}:${TOKEN}:admin` },
      manualTime: manual,
      dynamoClient: (c) => {
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
  const email = async (sesId: string, from: string, text: string) => {
    manual.advance(1000);
    await receiveMail(runtime, { sesId, at: now(), from, subject: 'My order', text });
  };
  const profile = (id: string) => api<Customer>('GET', `/api/customers/${id}`);
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);

  /** Rhea's two customers, merged: the email conversation now the phone customer's. */
  const mergedRhea = async (n: number) => {
    const phone = `44770091${String(n).padStart(3, '0')}`;
    const mail = `rhea${n}@mail.example`;
    await whatsapp(phone, `wamid.RA${n}`, 'Where is my order?');
    const phoneCustomer = await reads.find(`+${phone}`);
    const kept = phoneCustomer.openConversationId as string;
    manual.advance(1000);
    await api('POST', `/api/conversations/${kept}/resolve`);
    await email(`ra${n}`, `Rhea <${mail}>`, 'I ordered a lamp');
    const mailCustomer = await reads.find(mail);
    const adopted = mailCustomer.openConversationId as string;
    manual.advance(1000);
    await api('POST', `/api/customers/${phoneCustomer.id}/merge`, { customerId: mailCustomer.id });
    await runtime.idle();
    expect((await conversation(adopted)).customerId).toBe(phoneCustomer.id);
    expect((await profile(phoneCustomer.id)).openConversationId).toBe(adopted);
    // Written while merged: it goes to the conversation the merge gave the phone customer.
    await email(`rb${n}`, `Rhea <${mail}>`, 'It was blue');
    expect((await profile(phoneCustomer.id)).openConversationId).toBe(adopted);
    return { phone, mail, adopted, target: phoneCustomer.id, source: mailCustomer.id };
  };
  const expectGivenBack = async (r: { adopted: string; target: string; source: string }) => {
    expect(await conversation(r.adopted)).toMatchObject({ customerId: r.source, status: 'open' });
    expect((await profile(r.source)).openConversationId).toBe(r.adopted);
    expect((await profile(r.target)).openConversationId).toBeUndefined();
  };

  it('names the returning customer again, held by their profile, let go of by the kept one', async () => {
    const r = await mergedRhea(1);
    manual.advance(1000);
    calls.length = 0;
    await api('POST', `/api/customers/${r.target}/unmerge`, { customerId: r.source });
    await runtime.idle();
    // The conversation's one write: it names the returning customer (the profiles' writes beside it).
    const onConversation = calls.filter((c) => c.pk === `CONVERSATION#${r.adopted}`);
    expect(onConversation.map((c) => [c.command, c.failed, c.units])).toEqual([['UpdateItem', false, 1]]);
    await expectGivenBack(r);

    // Rhea's next email continues her conversation; the phone customer's next message opens its own.
    await email('rc1', `Rhea <${r.mail}>`, 'Any news?');
    expect((await profile(r.source)).openConversationId).toBe(r.adopted);
    await whatsapp(r.phone, 'wamid.RC1', 'Hello again');
    const phoneOpen = (await profile(r.target)).openConversationId;
    expect(phoneOpen).toBeDefined();
    expect(phoneOpen).not.toBe(r.adopted);
    expect((await conversation(phoneOpen as string)).customerId).toBe(r.target);
  }, 60_000);

  it('converges when the unmerge crashes after any of its writes and is called again', async () => {
    let crashes = 0;
    for (let k = 1; k < 60; k++) {
      const r = await mergedRhea(k + 10);
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
  }, 240_000);
});
