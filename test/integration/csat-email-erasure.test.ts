import { describe, expect, it } from 'vitest';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const MINUTE = 60_000;
const LEE = 'lee.erased@acme.example';

function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.csat = { enabled: true, delay: 'PT10M', question: 'How did we do?' };
  });
}

/**
 * A customer surveyed by email is erased, then answers the survey's mail. The survey went out through
 * the reply path, so its thread link (keyed on the Message-ID we wrote) must go with the erasure as an
 * agent reply's does: the answer then names nobody and starts a new customer, as mail from an unknown
 * sender does, with nothing written under the erased customer's id.
 */
describe('the email survey of an erased customer', () => {
  const clock = useClockRuntime({
    metaSecret: 'csat-erasure-meta-secret',
    agent: { token: agentToken('csat-erasure-admin-token'), admin: true },
    policyFile: policyFile(),
    env: {
      PUBLIC_BASE_URL: 'https://support.example',
      CSAT_SIGNING_SECRET: 'csat-erasure-signing-secret-0123456789abcdef',
    },
  });
  const { manual, idle, advance, api } = clock;
  const { find, timeline } = customerReads(api);

  const email = async (sesId: string, text: string, inReplyTo?: string) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: `Lee <${LEE}>`,
      messageId: `<${sesId}@acme.example>`,
      subject: 'Re: How did we do?',
      text,
      ...(inReplyTo ? { inReplyTo } : {}),
    });
    const res = await deliver(
      signedSes(clock.runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at })),
    );
    expect(res.status).toBe(200);
    await idle();
  };
  /** Every item of the table that names the customer, but the erasure's own tombstone and audit. */
  const naming = async (customerId: string) => {
    const client = inspectionClient(clock.runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items.filter(
      (item) =>
        item.entity !== 'erased_customer' &&
        !String(item.pk).startsWith('AUDIT') &&
        JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).includes(customerId),
    );
  };

  it("deletes the survey's thread link: an answer to the survey mail starts a new customer", async () => {
    await email('lee-1', 'Where is my refund?');
    const lee = await find(LEE);
    // A survey asks about an answer given.
    await clock.call('POST', `/api/conversations/${lee.openConversationId}/replies`, { text: 'Refunded.' });
    await idle();
    await api('POST', `/api/conversations/${lee.openConversationId}/resolve`);
    await idle();
    await advance(10 * MINUTE);
    const survey = clock.runtime.outbox.entries().find((e) => e.message.author.id === 'csat')?.message;
    expect(survey?.channel).toBe('email');
    const surveyMessageId = `<${survey?.id}@outbox.threadline.local>`;
    expect((await naming(lee.id)).some((i) => i.pk === `MESSAGE#email#${surveyMessageId}`)).toBe(true);

    manual.advance(1000);
    await api('DELETE', `/api/customers/${lee.id}`);
    expect((await naming(lee.id)).map((i) => i.pk)).toEqual([]);

    await email('lee-2', '5 thanks', surveyMessageId);
    const again = await find(LEE);
    expect(again.id).not.toBe(lee.id);
    expect((await api<{ items: unknown[] }>('GET', `/api/customers/${again.id}/suggestions`)).items).toEqual(
      [],
    );
    // Mail from a new sender: its message, in a new open conversation, no survey answer taken.
    const items = await timeline(again.id);
    expect(items.filter((i) => i.type === 'message').map((i) => i.text)).toEqual(['5 thanks']);
    expect(items.some((i) => i.event === 'csat')).toBe(false);
    expect(again.openConversationId).toBeDefined();
    expect((await naming(lee.id)).map((i) => i.pk)).toEqual([]);
  });
});
