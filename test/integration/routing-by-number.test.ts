import { describe, expect, it } from 'vitest';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import { runtimeMeter, useTestRuntime } from '../support/test-runtime.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  snsNotification,
  twilioPoster,
  twilioTexter,
  WHATSAPP_PHONE_NUMBER_ID,
  whatsappText,
} from '../support/webhooks.js';

const TOKEN = agentToken('routing-by-number-token');
const ACCOUNT = 'AC00000000000000000000000000000881';
const BRAND_A = '+15017120881';
const BRAND_B = '+15017120882';
const ASK = 'Hello, I want to speak to a person please';

/**
 * One deployment, two brands: a queue that states `to` takes the messages that came in on those of our
 * addresses (a number written to, a WhatsApp phone number id, an email address in any case), the others
 * go on down the queues, and choosing by it costs the table no call more.
 */
describe('local runtime: a queue chosen by which of our addresses the customer wrote to', () => {
  const meter = runtimeMeter();
  const runtime = useTestRuntime({
    env: {
      AGENT_TOKENS: `agent-rbn:${TOKEN}`,
      ROUTING_POLICY_FILE: alwaysOpenPolicyFile((policy) => {
        policy.queues.unshift({
          name: 'brand-a',
          to: [BRAND_A, WHATSAPP_PHONE_NUMBER_ID, 'Support@Shop.example'],
        });
      }),
    },
    routing: true,
    timers: stillTimers(),
    dynamoClient: meter.dynamoClient,
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const toBrandA = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BRAND_A });
  const toBrandB = twilioTexter(post, () => runtime.url, { account: ACCOUNT, business: BRAND_B });

  const queueOf = async (address: string, itemId: string) => {
    const customer = await find(address);
    const decision = (await timeline(customer.id)).find((i) => i.id === `route:${itemId}`);
    return decision?.data?.queue;
  };

  it("routes a text to brand A's number to brand-a, one to brand B's down the queues, for the same calls", async () => {
    meter.reset();
    await toBrandA('+14155550881', 'SMrbn0000000000000000000000000881', ASK);
    const brandA = meter.figures().byCommand;
    meter.reset();
    await toBrandB('+14155550882', 'SMrbn0000000000000000000000000882', ASK);
    const brandB = meter.figures().byCommand;
    expect(await queueOf('+14155550881', 'sms:SMrbn0000000000000000000000000881')).toBe('brand-a');
    expect(await queueOf('+14155550882', 'sms:SMrbn0000000000000000000000000882')).toBe('general');
    expect(brandA).toEqual(brandB);
  });

  it('routes a WhatsApp message to our phone number id, and an email to our address, to brand-a', async () => {
    const at = new Date().toISOString();
    const payload = whatsappText({ from: '447700900881', messages: [{ id: 'wamid.RBN1', at, text: ASK }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta))).status).toBe(
      200,
    );
    const mail = sesReceived({
      sesId: 'rbn-ses-1',
      at,
      messageId: '<rbn-1@example.com>',
      from: 'Rae Bond <rae@example.com>',
      text: ASK,
    });
    expect(
      (await deliver(signedSes(runtime.url, snsNotification(mail, { snsId: 'sns-rbn-1', at })))).status,
    ).toBe(200);
    await runtime.idle();
    expect(await queueOf('+447700900881', 'whatsapp:wamid.RBN1')).toBe('brand-a');
    expect(await queueOf('rae@example.com', 'email:rbn-ses-1')).toBe('brand-a');
  });
});
