import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('reply-cc-agent-token');
const PAT = 'pat.cc@acme.example';
const BOB = 'bob.cc@acme.example';
const DAN = 'dan.cc@acme.example';
const LEE = 'lee.cc@acme.example';
const SAM = 'sam.cc@acme.example';
const OTHERS = Array.from({ length: 8 }, (_, i) => `c${i + 1}.cc@acme.example`);

/**
 * A B2B customer writes to support@ with colleagues in To and Cc. QA: our reply went to the sender
 * only, and the colleagues dropped out of the thread. A reply copies the people the customer's latest
 * mail in the thread was written to, never our own addresses nor a suppressed one, at most 10.
 */
describe('an email reply copies the To and Cc of the customer’s latest mail in the thread', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-reply-cc:${TOKEN}` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const at = () => new Date(Date.now() - 1000).toISOString();

  /** SES's permanent bounce (AWS's example) of a mail we never sent to `address`: its suppression alone. */
  const suppress = async (address: string) => {
    const text = readFileSync(new URL('../fixtures/ses/bounce_permanent_dsn.json', import.meta.url), 'utf8');
    const notice = JSON.parse(text.replaceAll('jane@example.com', address)) as {
      mail: { messageId: string };
    };
    notice.mail.messageId = `never-sent-${address}`;
    await receiveSes(runtime, notice, { snsId: `sns-bounce-${address}`, at: at() });
  };

  it('copies the thread’s people, without our address, the suppressed one and those over 10', async () => {
    await suppress(SAM);
    const cc = [LEE, SAM, 'support@shop.example', ...OTHERS].join(', ');
    const notification = sesReceived({
      sesId: 'pat-cc-1',
      at: at(),
      from: `Pat <${PAT}>`,
      to: `Bob <${BOB}>, ${DAN}`,
      messageId: '<pat-cc-1@acme.example>',
      subject: 'Bulk order 40 chairs',
      text: 'Can you quote 40 chairs?',
      headers: [`Cc: ${cc}`],
    });
    await receiveSes(runtime, notification, { snsId: 'sns-pat-cc-1', at: at() });
    const pat = await reads.find(PAT);
    await api('POST', `/api/conversations/${pat.openConversationId}/replies`, { text: 'Quote: $4000.' });
    await runtime.idle();

    const sent = runtime.outbox.entries().find((e) => e.message.text === 'Quote: $4000.')?.message;
    expect(sent?.to).toEqual({ kind: 'email', value: PAT });
    // To first, then Cc; support@ is ours, Sam bounced; the eighth other is the eleventh: left out (logged).
    const copied = [BOB, DAN, LEE, ...OTHERS.slice(0, 7)];
    expect(sent?.email?.cc).toEqual(copied);
    const item = (await reads.timeline(pat.id)).find((i) => i.id === `reply:${sent?.id}`);
    expect(item?.data?.ccAddresses).toEqual(copied);
  });
});
