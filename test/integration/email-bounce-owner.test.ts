import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { PARKED_STATUS_TTL_SECONDS } from '#shared/store/params/parked-status.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { keptSuppression } from '../support/kept-suppression.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { receiveSes } from '../support/ses-mail.js';
import { type Item, inspectionClient, scanTable } from '../support/table-snapshot.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('bounce-owner-admin-token');

/**
 * SES's bounce or complaint names the mail we sent (`mail.messageId`, the id SendRawEmail answered)
 * and the address it went to, often the Reply-To of the customer's mail (a desk, a second mailbox),
 * which no customer holds. Before, the address became a customer of its own (the bounce's recipient
 * was its customer): a phantom in the customer list, holding the address and its suppression, which
 * the person's erasure left behind; and the erased marker of the bounce's own reference named the
 * address for 14 days. Now the bounce goes to the customer of the mail it names (in that mail's
 * conversation), the address only suppressed, and the references an erasure marks name nobody.
 */
describe('email bounces and complaints go to the customer of the mail they name', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const calls: RecordedCall[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-bounce-owner:${TOKEN}:admin` },
      manualTime: manual,
      dynamoClient: (client) => {
        recordCalls(client, calls);
        return client;
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const now = () => new Date(manual.now()).toISOString();
  const table = async (): Promise<Item[]> => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items.filter((item) => !String(item.pk).startsWith('LIVE'));
  };
  const naming = async (address: string) =>
    (await table()).filter((item) =>
      JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).includes(address),
    );
  /** Mail from `from` whose Reply-To is `replyTo`, vouched for (SPF, DKIM, DMARC pass). */
  const email = async (sesId: string, from: string, replyTo?: string) => {
    manual.advance(1000);
    const mail = { sesId, at: now(), from, messageId: `<${sesId}@acme.example>`, text: 'Refund?' };
    await receiveSes(runtime, sesReceived({ ...mail, ...(replyTo ? { replyTo } : {}) }), {
      snsId: `sns-${sesId}`,
      at: now(),
    });
  };
  /** Our reply in the customer's open conversation; answers its SES message id and conversation. */
  const reply = async (customer: { openConversationId?: string | undefined }, to: string) => {
    manual.advance(1000);
    const text = `Refund sent to ${to} (${now()})`;
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text });
    await runtime.idle();
    const sent = runtime.outbox.entries().find((e) => e.message.text === text);
    expect(sent?.message.to).toEqual({ kind: 'email', value: to });
    return { sesId: String(sent?.providerMessageId), conversationId: String(customer.openConversationId) };
  };
  /** SES's notification (a fixture of AWS's examples) of the mail `sesId`, for `to`. */
  const notification = (fixture: string, sesId: string, to: string, original: string) => {
    const text = readFileSync(new URL(`../fixtures/ses/${fixture}`, import.meta.url), 'utf8');
    const parsed = JSON.parse(text.replaceAll(original, to)) as {
      mail: { timestamp: string; messageId: string };
      bounce?: { timestamp: string };
      complaint?: { timestamp: string; arrivalDate: string };
    };
    manual.advance(1000);
    parsed.mail.timestamp = now();
    parsed.mail.messageId = sesId;
    if (parsed.bounce) parsed.bounce.timestamp = now();
    if (parsed.complaint) Object.assign(parsed.complaint, { timestamp: now(), arrivalDate: now() });
    return parsed;
  };
  const bounce = (sesId: string, to: string) =>
    notification('bounce_permanent_dsn.json', sesId, to, 'jane@example.com');
  const emailOption = async (customerId: string) =>
    (await api<ChannelOption[]>('GET', `/api/customers/${customerId}/channels`)).find(
      (o) => o.channel === 'email',
    );
  const customerCount = async () => (await table()).filter((item) => item.entity === 'customer').length;
  /** `name` mails us with their desk as Reply-To, and our reply goes to the desk. */
  const answeredAtDesk = async (name: string) => {
    const address = `${name}.bounce@acme.example`;
    const desk = `${name}.bounce-desk@acme.example`;
    await email(`${name}-b-1`, `${name} <${address}>`, `Desk <${desk}>`);
    const customer = await reads.find(address);
    const sent = await reply(customer, desk);
    return { address, desk, customer, sent, customers: await customerCount() };
  };

  it("puts a Reply-To's bounce on the customer we replied to, once, and their erasure leaves only its suppression", async () => {
    const { address: IDA, desk: DESK, customer: ida, sent, customers } = await answeredAtDesk('ida');

    const notice = bounce(sent.sesId, DESK);
    await runtime.idle();
    calls.length = 0;
    await receiveSes(runtime, notice, { snsId: 'sns-ida-bounce', at: now() });
    const spent = calls.map((c) => c.command);
    const gets = calls.filter((c) => c.command === 'GetItem').map((c) => `${c.pk} ${c.sk.split('#')[0]}`);

    // No customer of the desk's address: the bounce is Ida's, in the conversation of the reply.
    expect(await customerCount()).toBe(customers);
    expect(await reads.find(DESK)).toBeUndefined();
    const events = (await reads.timeline(ida.id)).filter((item) => item.event === 'suppressed');
    expect(events.map((e) => [e.conversationId, e.from?.value])).toEqual([[sent.conversationId, DESK]]);
    expect(await emailOption(ida.id)).toMatchObject({ available: false, reason: 'email_suppressed' });
    // Keyed calls only, as many whatever the history: the `failed` status (5: its reference, the
    // reply, the wait it brings back) and the suppression (7), which reads the mail's reference, the
    // reply item it points to and the profile, then writes its own reference, its item, the
    // conversation (open: touched as before) and the address's suppression; the profile needs no write.
    expect(spent.filter((c) => !['GetItem', 'PutItem', 'UpdateItem'].includes(c))).toEqual([]);
    expect(gets.sort()).toEqual([
      `CUSTOMER#${ida.id} PROFILE`,
      `CUSTOMER#${ida.id} TIMELINE`,
      `MESSAGE#email#${sent.sesId} MESSAGE`,
    ]);
    // The `failed` status's first-response take-back: its mark's write in both forms (the first,
    // the AI's form, fails), the day's count under a claim, then the debt and the claim settled
    // (a crash between them no longer loses the count; 12 calls before).
    expect(spent.length).toBe(15);

    // SES's redelivery (the same notification, another SNS message) writes nothing new.
    const before = await table();
    await receiveSes(runtime, notice, { snsId: 'sns-ida-bounce-again', at: now() });
    expect(await table()).toEqual(before);

    manual.advance(1000);
    await api('DELETE', `/api/customers/${ida.id}`);
    // Nothing names the address but its suppression, kept detached (no customer, no message id: a
    // bounced address stays suppressed after the erasure), no customer, no marker (its reference is hashed).
    expect(await naming(DESK)).toEqual(keptSuppression(DESK));
    expect(await naming(IDA)).toEqual([]);

    // A late redelivery after the erasure brings nothing back: the mail's marker drops it.
    const customersAfter = await customerCount();
    await receiveSes(runtime, notice, { snsId: 'sns-ida-bounce-late', at: now() });
    expect(await naming(DESK)).toEqual(keptSuppression(DESK));
    expect(await customerCount()).toBe(customersAfter);
  });

  it('puts a complaint of our reply on its customer, not on a customer of its own', async () => {
    const { desk: DESK, customer: jo, sent, customers } = await answeredAtDesk('jo');
    const complaint = notification('complaint_feedback_report.json', sent.sesId, DESK, 'richard@example.com');
    await receiveSes(runtime, complaint, { snsId: 'sns-jo-complaint', at: now() });
    expect(await customerCount()).toBe(customers);
    expect(await reads.find(DESK)).toBeUndefined();
    const events = (await reads.timeline(jo.id)).filter((item) => item.event === 'suppressed');
    expect(events.map((e) => [e.conversationId, e.errors?.[0]?.code])).toEqual([
      [sent.conversationId, 'complaint:abuse'],
    ]);
  });

  it('only suppresses the address of a bounce of mail we did not send', async () => {
    const STRANGER = 'stranger.bounce@elsewhere.example';
    const SES_ID = '0100018c-not-ours-000000';
    const customers = await customerCount();
    await receiveSes(runtime, bounce(SES_ID, STRANGER), { snsId: 'sns-stranger-bounce', at: now() });
    expect(await customerCount()).toBe(customers);
    // The suppression only: no identity, no customer, no timeline.
    expect((await naming(STRANGER)).map((item) => item.pk)).toEqual([`CONTACT#email#${STRANGER}`]);
    // The `failed` status waits on the mail's reference for a send recorded later (as any status that
    // comes before its message), 14 days at most, with SES's code and not its diagnostic, which
    // quoted the address (before: kept for good, the address in it).
    const [parked] = (await table()).filter((item) => item.pk === `MESSAGE#email#${SES_ID}`);
    expect(parked).toMatchObject({
      status: 'failed',
      errors: [{ code: 'bounce:Permanent:General', title: 'Permanent bounce (General)' }],
    });
    expect(Number(parked?.ttl) - Math.ceil(manual.now() / 1000)).toBe(PARKED_STATUS_TTL_SECONDS);
  });

  /**
   * SES reports a bounce of mail we have no record of (another sender on the account, a send whose
   * record was lost) to a customer's own address. Its status is parked on the mail's reference, which
   * names no customer, so the customer's erasure cannot find it: SES's diagnostic kept there named
   * their address after the erasure, for good. The reference keeps no diagnostic now, and expires.
   */
  it('leaves only the suppression naming the address when its customer is erased after a bounce of mail we never sent', async () => {
    const KIM = 'kim.bounce@acme.example';
    await email('kim-b-1', `Kim <${KIM}>`);
    const kim = await reads.find(KIM);
    await receiveSes(runtime, bounce('0100018c-kim-not-ours-000000', KIM), { snsId: 'sns-kim', at: now() });
    manual.advance(1000);
    await api('DELETE', `/api/customers/${kim.id}`);
    expect(await naming(KIM)).toEqual(keptSuppression(KIM));
  });
});
