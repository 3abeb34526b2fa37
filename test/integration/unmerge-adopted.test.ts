import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useMergeRuntime } from '../support/merge-runtime.js';

const TOKEN = agentToken('unmerge-adopted-admin-token');
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
  const calls: RecordedCall[] = [];
  const { runtime, manual, api, reads, whatsapp, email, profile, conversation, unmerge, crashEachWrite } =
    useMergeRuntime({
      agentId: AGENT,
      token: TOKEN,
      start: Date.UTC(2026, 11, 6, 9, 0),
      subject: 'My order',
      dynamoClient: (c) => {
        recordCalls(c, calls, { writesOnly: true });
        return c;
      },
    });

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
    await runtime().idle();
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
    calls.length = 0;
    await unmerge(r);
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
    const crashes = await crashEachWrite((k) => mergedRhea(k + 10), expectGivenBack);
    expect(crashes).toBeGreaterThan(10);
  }, 240_000);
});
