import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import { TakingSender } from '../support/taking-sender.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const TOKEN = agentToken('sms-opt-out-routing-token');
const ACCOUNT = 'AC00000000000000000000000000000901';
const BUSINESS = '+15005550006';
const QUESTION = 'How long does shipping take?';
const NOTE = 'The customer opted out of SMS (STOP): no channel can take a reply.';

/**
 * QA's SMS sweep: a question from a number that texted STOP can be answered on no channel. It stays on
 * the timeline with a note saying so, and nobody waits for an answer that cannot go out: no wait, no
 * queue. A START lets routing answer again.
 */
describe('local runtime: a question from an opted-out SMS number', () => {
  const sms = new TakingSender();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-opt:${TOKEN}`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
    routing: true,
    senders: { sms, voice: sms },
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const text = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BUSINESS });
  const conversation = (customer: Customer) =>
    api<Conversation>('GET', `/api/conversations/${customer.openConversationId}`);
  const notes = async (customer: Customer) =>
    (await timeline(customer.id))
      .filter((item: TimelineItem) => item.type === 'note')
      .map((n) => n.text ?? '');

  it('notes that no channel can take a reply, starts no wait and queues nobody; START resumes routing', async () => {
    const phone = '+14155550112';
    await text(phone, 'SMqa00000000000000000000000000400', 'STOP');
    await text(phone, 'SMqa00000000000000000000000000401', QUESTION);
    const customer = await find(phone);
    const items = await timeline(customer.id);
    expect(items.some((item) => item.type === 'message' && item.text === QUESTION)).toBe(true);
    expect((await notes(customer)).some((note) => note.includes(NOTE))).toBe(true);
    const held = await conversation(customer);
    expect(held.waitingSince).toBeUndefined();
    expect(held.queue).toBeUndefined();
    expect(held.assignee).toBeUndefined();
    expect(sms.sent).toHaveLength(0);

    await text(phone, 'SMqa00000000000000000000000000402', 'START');
    await text(phone, 'SMqa00000000000000000000000000403', QUESTION);
    expect(sms.sent.map((m) => m.to.value)).toContain(phone);
  });
  it('starts no wait either when the question reopens the conversation (its touch starts the wait)', async () => {
    const phone = '+14155550113';
    await text(phone, 'SMqa00000000000000000000000000410', QUESTION);
    const customer = await find(phone);
    await api('POST', `/api/conversations/${customer.openConversationId}/resolve`);
    await text(phone, 'SMqa00000000000000000000000000411', 'STOP');
    await text(phone, 'SMqa00000000000000000000000000412', 'Can I change my delivery address?');
    const reopened = await conversation(await find(phone));
    expect(reopened.status).toBe('open');
    expect((await notes(customer)).some((note) => note.includes(NOTE))).toBe(true);
    expect(reopened.waitingSince).toBeUndefined();
    expect(reopened.queue).toBeUndefined();
  });
});
