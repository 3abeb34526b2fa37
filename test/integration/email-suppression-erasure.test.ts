import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { keptSuppression } from '../support/kept-suppression.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { receiveSes } from '../support/ses-mail.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('suppression-erasure-admin-token');

/**
 * A customer's mail names a Reply-To (a second mailbox, a desk); our reply goes there, and a
 * permanent bounce suppresses that address. The suppression is kept per address, and the address is
 * no identity of the customer's: erasing them deleted their identities' suppressions only, so the
 * Reply-To's outlived the erasure, naming the person's address (QA). The erasure then deleted the
 * suppression of each address their mails used, From and Reply-To, unless another customer holds it.
 * A later QA pass (the objection must be kept: GDPR Art. 17(3)(b), 21) has it keep each block as a
 * minimal suppression record instead: the address, the reason and its time, no customer, no message id.
 */
describe('email suppressions of an erased customer', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-suppression-erasure:${TOKEN}:admin` },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const now = () => new Date(manual.now()).toISOString();
  const naming = async (address: string) => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items.filter((item) =>
      JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).includes(address),
    );
  };
  /** Mail from `from` whose Reply-To is `replyTo`, vouched for (SPF, DKIM, DMARC pass). */
  const email = async (sesId: string, from: string, replyTo: string) => {
    manual.advance(1000);
    await receiveSes(
      runtime,
      sesReceived({ sesId, at: now(), from, replyTo, messageId: `<${sesId}@acme.example>`, text: 'Refund?' }),
      { snsId: `sns-${sesId}`, at: now() },
    );
  };
  /** Replies in the customer's open conversation (to the Reply-To), and SES bounces it for good. */
  const replyBounced = async (customer: { openConversationId?: string | undefined }, to: string) => {
    manual.advance(1000);
    const text = `Refund sent to ${to}`;
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text });
    await runtime.idle();
    const sent = runtime.outbox.entries().find((e) => e.message.text === text);
    expect(sent?.message.to).toEqual({ kind: 'email', value: to });
    manual.advance(1000);
    const fixture = readFileSync(
      new URL('../fixtures/ses/bounce_permanent_dsn.json', import.meta.url),
      'utf8',
    );
    const bounce = JSON.parse(fixture.replaceAll('jane@example.com', to)) as {
      mail: { timestamp: string; messageId: string };
      bounce: { timestamp: string };
    };
    bounce.mail.timestamp = now();
    bounce.mail.messageId = String(sent?.providerMessageId);
    bounce.bounce.timestamp = now();
    await receiveSes(runtime, bounce, { snsId: `sns-bounce-${to}`, at: now() });
  };
  const emailOption = async (customerId: string) =>
    (await api<ChannelOption[]>('GET', `/api/customers/${customerId}/channels`)).find(
      (o) => o.channel === 'email',
    );

  it('keeps the suppression of a Reply-To address nobody holds as a bare suppression record', async () => {
    const EVE = 'eve.suppressed@acme.example';
    const DESK = 'eve.desk@acme.example';
    await email('eve-s-1', `Eve <${EVE}>`, `Desk <${DESK}>`);
    const eve = await reads.find(EVE);
    // A suppression of the Reply-To address that no customer holds.
    await runtime.store.customers.setContactState(
      { kind: 'email', value: DESK },
      {
        at: now(),
        envelopeId: 'ses:suppressed:m1:bounce:0d5c',
        blocked: true,
        reason: 'bounce:Permanent:General',
      },
    );
    expect(await emailOption(eve.id)).toMatchObject({ available: false, reason: 'email_suppressed' });

    manual.advance(1000);
    await api('DELETE', `/api/customers/${eve.id}`);
    expect(await naming(DESK)).toEqual(keptSuppression(DESK));
    expect(await naming(EVE)).toEqual([]);
  });

  /**
   * The desk writes to us too, so it is a customer of its own holding its address; our reply to Ida's
   * mail goes to the desk (her Reply-To) and bounces. The bounce is Ida's (the mail it names is her
   * reply), the suppression the address's: her erasure keeps it (the desk holds the address), and the
   * desk's erasure keeps it too, as a bare suppression record (before 2026-12-07 it removed it). Before, the erased marker of the bounce's own reference (its envelope
   * id, `ses:suppressed:<mail id>:bounce:<address>`) named the address for its 14 days; it holds a
   * SHA-256 of the mail's id and the address now.
   */
  it("keeps the suppression of an address another customer holds, and after that customer's erasure a bare one", async () => {
    const IDA = 'ida.suppressed@acme.example';
    const DESK = 'ida.desk@acme.example';
    await email('desk-s-1', `Desk <${DESK}>`, `Desk <${DESK}>`);
    const desk = await reads.find(DESK);
    await email('ida-s-1', `Ida <${IDA}>`, `Desk <${DESK}>`);
    const ida = await reads.find(IDA);
    expect(desk.id).not.toBe(ida.id);
    await replyBounced(ida, DESK);
    expect(await emailOption(ida.id)).toMatchObject({ available: false, reason: 'email_suppressed' });
    const bounces = (await reads.timeline(ida.id)).filter((item) => item.event === 'suppressed');
    expect(bounces).toHaveLength(1);

    manual.advance(1000);
    await api('DELETE', `/api/customers/${ida.id}`);
    expect((await naming(DESK)).map((item) => item.pk)).toContain(`CONTACT#email#${DESK}`);
    expect(await emailOption(desk.id)).toMatchObject({ available: false, reason: 'email_suppressed' });

    manual.advance(1000);
    await api('DELETE', `/api/customers/${desk.id}`);
    expect(await naming(DESK)).toEqual(keptSuppression(DESK));
  });
});
