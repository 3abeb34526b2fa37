import { describe, expect, it } from 'vitest';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import { TakingSender } from '../support/taking-sender.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedTwilio, twilioPoster, twilioTexter } from '../support/webhooks.js';

const TOKEN = agentToken('sms-reply-from-token');
const ACCOUNT = 'AC00000000000000000000000000000961';
const FIRST = '+15005550006';
const SECOND = '+15005550009';

/**
 * A business with several Twilio numbers: a reply, the AI's or an agent's, goes from the number the
 * customer last texted (Twilio's `To`, kept on their profile with the number they texted from), not
 * from TWILIO_FROM_NUMBER; a customer who then texts the other number is answered from that one.
 */
describe('local runtime: SMS replies go from the number the customer texted', () => {
  const sms = new TakingSender();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-from:${TOKEN}`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
    routing: true,
    senders: { sms, voice: sms },
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { find } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const toFirst = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: FIRST });
  const toSecond = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: SECOND });

  it("answers from the customer's latest business number, the AI and an agent alike", async () => {
    const phone = '+14155550961';
    await toSecond(phone, 'SMqa00000000000000000000000000961', 'How long does shipping take?');
    const ai = sms.sent.filter((m) => m.to.value === phone);
    expect(ai.length).toBeGreaterThan(0);
    expect(ai.map((m) => m.from)).toEqual(ai.map(() => SECOND));

    const customer = await find(phone);
    const path = `/api/conversations/${customer.openConversationId}/replies`;
    await api('POST', path, { text: 'It ships tomorrow.' });
    await runtime.idle();
    const agent = sms.sent.filter((m) => m.to.value === phone && m.author.kind === 'agent');
    expect(agent.map((m) => m.from)).toEqual([SECOND]);

    await toFirst(phone, 'SMqa00000000000000000000000000962', 'And the return address?');
    await api('POST', path, { text: 'Use the label in the box.' });
    await runtime.idle();
    const last = sms.sent.filter((m) => m.to.value === phone && m.author.kind === 'agent').at(-1);
    expect(last?.from).toBe(FIRST);
  });

  it('answers a caller who never texted from the number they called', async () => {
    const phone = '+14155550962';
    const voice = async (path: string, params: Record<string, string>) => {
      const res = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
      expect(res.status, path).toBeLessThan(300);
      await runtime.idle();
    };
    const call = {
      AccountSid: ACCOUNT,
      CallSid: 'CAqa00000000000000000000000000962',
      From: phone,
      To: SECOND,
    };
    await voice('/webhooks/twilio/voice', { ...call, Direction: 'inbound', CallStatus: 'ringing' });
    await voice('/webhooks/twilio/voice/status', {
      ...call,
      Direction: 'inbound',
      CallStatus: 'no-answer',
      CallDuration: '0',
    });
    const customer = await find(phone);
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text: 'Sorry we missed your call.',
    });
    await runtime.idle();
    const reply = sms.sent.filter((m) => m.to.value === phone && m.author.kind === 'agent');
    expect(reply.map((m) => [m.channel, m.from])).toEqual([['sms', SECOND]]);
  });
});
