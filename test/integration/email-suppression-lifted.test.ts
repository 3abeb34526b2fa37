import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { Customer } from '#shared/domain/timeline.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { failVerdicts, receiveSes } from '../support/ses-mail.js';
import { runtimeMeter, useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('unsuppress-agent-token');
const KIM = 'kim.unsuppress@example.org';

/**
 * A suppressed address (a permanent bounce of our reply) is lifted when the customer writes to us again
 * from it: their own, authenticated mail after the bounce. An out-of-office answer, or mail whose From
 * nothing vouches for, lifts nothing. Before, a bounce closed the customer's email for good.
 */
describe('email suppression ends when the customer writes again from the address', () => {
  const meter = runtimeMeter();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-unsuppress:${TOKEN}` },
    timers: stillTimers(),
    dynamoClient: meter.dynamoClient,
  });
  const start = Date.now() - 120_000;
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();

  const api = agentRequest(() => runtime.url, TOKEN);
  const kim = async () =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(KIM)}`)).json.items[0];
  const email = async (
    sesId: string,
    seconds: number,
    options: { headers?: string[]; dmarc?: 'FAIL' } = {},
  ) => {
    const notification = sesReceived({
      sesId,
      at: at(seconds),
      from: `Kim <${KIM}>`,
      messageId: `<${sesId}@example.org>`,
      subject: 'My order',
      text: `Message ${sesId}`,
      ...(options.headers ? { headers: options.headers } : {}),
    });
    if (options.dmarc) failVerdicts(notification);
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at: at(seconds) });
  };
  const bounce = async (seconds: number) => {
    const fixture = readFileSync(
      new URL('../fixtures/ses/bounce_permanent_dsn.json', import.meta.url),
      'utf8',
    );
    const notification = JSON.parse(fixture.replaceAll('jane@example.com', KIM)) as {
      mail: { timestamp: string; messageId: string };
      bounce: { timestamp: string };
    };
    notification.mail.timestamp = at(seconds - 1);
    notification.bounce.timestamp = at(seconds);
    await receiveSes(runtime, notification, { snsId: 'sns-unsuppress-bounce', at: at(seconds) });
  };
  const emailOption = async () => {
    const customer = await kim();
    meter.reset();
    const options = await api<ChannelOption[]>('GET', `/api/customers/${customer?.id}/channels`);
    return { email: options.json.find((o) => o.channel === 'email'), calls: meter.figures().calls };
  };
  const reply = async () => {
    const customer = await kim();
    return api<{ error?: { code: string } }>(
      'POST',
      `/api/conversations/${customer?.openConversationId}/replies`,
      {
        text: 'Your order ships today',
        channel: 'email',
      },
    );
  };

  it('stays closed after an auto-reply or forged mail, and opens again on her own mail', async () => {
    await email('ses-unsuppress-1', 0);
    expect((await emailOption()).email).toEqual({ channel: 'email', available: true });
    await bounce(10);
    const closed = await emailOption();
    expect(closed.email).toMatchObject({ available: false, reason: 'email_suppressed' });
    expect((await reply()).json.error?.code).toBe('email_suppressed');

    // Her mailbox's out-of-office answer, and mail that fails every check, say nothing of her.
    await email('ses-unsuppress-ooo', 20, { headers: ['Auto-Submitted: auto-replied'] });
    await email('ses-unsuppress-forged', 30, { dmarc: 'FAIL' });
    expect((await emailOption()).email).toMatchObject({ available: false, reason: 'email_suppressed' });

    // She writes again herself: her mailbox works, and she wants the answer.
    await email('ses-unsuppress-2', 40);
    const open = await emailOption();
    expect(open.email).toEqual({ channel: 'email', available: true });
    // No read more than before: the latest email was already read to address the reply.
    expect(open.calls).toBe(closed.calls);
    expect((await reply()).status).toBe(202);
  });
});
