import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('footer-topic-token');
const FOOTER_MAIL = readFileSync(
  new URL('../fixtures/email/footer-unsubscribe.eml', import.meta.url),
  'utf8',
);
const QUESTION = 'When will order 5521 be delivered? We need the chairs before Friday.';

/**
 * A customer's mail sent through a mailing tool carries its footer: "Unsubscribe | Manage
 * preferences", links under the signature. QA: the footer's word routed the question as the
 * must-be-human "cancel" topic. Routing reads the customer's own words: the footer is cut, a
 * cancellation written in the body still counts.
 */
describe('an email whose footer says "Unsubscribe"', () => {
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-footer:${TOKEN}:admin` },
    routing: true,
    queue: { visibilityTimeoutMs: 1000 },
  });
  const call = agentCaller(() => runtime.url, TOKEN);
  const api = <T>(path: string) => call<T>('GET', path);

  /** The fixture as `who@ex.test` sends it, its question replaced by `text`; the routing decision. */
  const route = async (who: string, text: string) => {
    const notification = sesReceived({
      sesId: `ses-${who}`,
      at: new Date(Date.now() - 1000).toISOString(),
      from: `${who} <${who}@ex.test>`,
      messageId: `<${who}@ex.test>`,
      text: '',
    }) as { content: string };
    const mime = FOOTER_MAIL.replace('robin@hale-studio.example', `${who}@ex.test`).replace(QUESTION, text);
    notification.content = Buffer.from(mime).toString('base64');
    await receiveSes(runtime, notification, { snsId: `sns-${who}`, at: new Date().toISOString() });
    const [customer] = (await api<{ items: Customer[] }>(`/api/customers?q=${who}%40ex.test`)).items;
    const items = (await api<{ items: TimelineItem[] }>(`/api/customers/${customer?.id}/timeline`)).items;
    return {
      mail: items.find((i) => i.id === `email:ses-${who}`),
      decision: items.find((i) => i.id === `route:email:ses-${who}`),
    };
  };

  it('is routed on the question, not as a cancellation, and the footer stays on the mail', async () => {
    const { mail, decision } = await route('robin', QUESTION);
    expect(mail?.text).toContain('Unsubscribe');
    expect(decision?.data?.reason).not.toBe('must_be_human_topic');
    expect(JSON.stringify(decision?.data)).not.toContain('cancel');
  });

  it('still hands a cancellation written in the body to a person', async () => {
    const { decision } = await route('sasha', 'Please cancel my subscription from next month.');
    expect(decision?.data).toMatchObject({ target: 'human', reason: 'must_be_human_topic' });
    expect(String(decision?.data?.detail)).toContain('topic "cancel"');
  });
});
