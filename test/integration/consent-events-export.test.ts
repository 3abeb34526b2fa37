import { describe, expect, it } from 'vitest';
import type { CustomerExport } from '#shared/domain/privacy.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { useReceiver } from '../support/webhook-receiver.js';
import { twilioPoster, twilioTexter, waitUntil } from '../support/webhooks.js';

const ADMIN = agentToken('consent-events-export-admin');
const ACCOUNT = 'AC00000000000000000000000000000934';
const BRAND_A = '+15017120341';

type Posted = { id: string; type: string; data: Record<string, unknown> };

/** A customer's export, as an admin asks for it. */
const exportOf = (api: ReturnType<typeof agentCaller>, id: string) =>
  api<CustomerExport>('GET', `/api/customers/${id}/export`);

/**
 * A customer's SMS STOP and START reach a CRM syncing consent as `contact.opted_out` and
 * `contact.opted_in` (once each: a second STOP changes nothing), and the person's export names the
 * subscription those events went to (GDPR Art. 15(1)(c) recipients) and says which of its lists it cut.
 * Before, a STOP reached integrators as a plain `message.received`, the export listed no recipient, and
 * a list over its limit was cut without a word.
 */
describe('local runtime: consent events, and the export’s recipients and cuts', () => {
  const receiver = useReceiver();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `dpo-admin:${ADMIN}:admin` },
    events: true,
    webhookTimers: new ManualTimers(Date.now()),
  });
  const api = agentCaller(() => runtime.url, ADMIN);
  const { find } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const texter = (business: string) => twilioTexter(post, () => runtime.url, { account: ACCOUNT, business });
  let sid = 0;
  const next = () => `SMce${String(++sid).padStart(30, '0')}`;
  const posted = () => receiver.received.map((r) => JSON.parse(r.body) as Posted);

  it('tells one opt-out per STOP that changed it, one opt-in per START, and lists the subscriptions', async () => {
    const made = await api<{ id: string }>('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['*'],
      description: 'CRM consent sync',
    });
    // A second recipient, of the messages only, at another path of the same host (no description).
    const messages = await api<{ id: string }>('POST', '/api/webhooks', {
      url: `${receiver.url}/messages`,
      events: ['message.received'],
    });
    const phone = '+14155550934';
    const toA = texter(BRAND_A);
    await toA(phone, next(), 'Hi, where is my order?');
    const stop = next();
    await toA(phone, stop, 'STOP');
    // Twilio's resend of the same STOP, then a second STOP of the customer's own: no change of consent.
    await toA(phone, stop, 'STOP');
    await toA(phone, next(), 'STOP');
    await toA(phone, next(), 'START');
    const customer = await find(phone);
    await waitUntil(
      () => posted().filter((e) => e.type === 'contact.opted_in').length > 0,
      'the opt-in is posted',
    );
    await runtime.idle();

    // Deliveries are not ordered: each event once (the messages' twice, one for each subscription).
    const once = [...new Map(posted().map((e) => [e.id, e])).values()];
    const consent = once.filter((e) => e.type.startsWith('contact.'));
    const told = { customerId: customer.id, channel: 'sms', address: phone, ourNumber: BRAND_A };
    expect(
      consent.map((e) => [e.type, e.data]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    ).toEqual([
      ['contact.opted_in', { ...told, reason: 'start_keyword', at: expect.any(String) }],
      ['contact.opted_out', { ...told, reason: 'stop_keyword', at: expect.any(String) }],
    ]);
    const keywords = once
      .filter((e) => e.type === 'message.received')
      .map((e) => String(e.data.optOut ?? 'none'))
      .sort();
    expect(keywords).toEqual(['none', 'start', 'stop', 'stop']);

    const data = await exportOf(api, customer.id);
    const host = new URL(receiver.url).host;
    expect(data.webhookRecipients).toEqual(
      [
        { subscriptionId: made.id, urlHost: host, description: 'CRM consent sync' },
        { subscriptionId: messages.id, urlHost: host },
      ].sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : 1)),
    );
    expect(data.truncated).toEqual({
      contactStates: false,
      webchatSessions: false,
      auditRecords: false,
      webhookRecipients: false,
    });
  });
});

/** The export's limits said, not hidden: a list cut at its limit is flagged under `truncated`. */
describe('local runtime: an export says which of its lists it cut', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `dpo-admin:${ADMIN}:admin` } });
  const api = agentCaller(() => runtime.url, ADMIN);
  const { find } = customerReads(api);
  let sid = 100;
  const next = () => `SMct${String(++sid).padStart(30, '0')}`;

  it('says it cut the contact states at 20 an identity, where 21 numbers of ours were texted STOP', async () => {
    const phone = '+14155550935';
    // Posted at once, the runtime left to settle once after them (a settle after each is 21 times slower).
    const unsettled = twilioPoster(SECRETS.twilio, async () => {});
    await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        twilioTexter(unsettled, () => runtime.url, { account: ACCOUNT, business: `+1501712${1000 + i}` })(
          phone,
          next(),
          'STOP',
        ),
      ),
    );
    await runtime.idle();
    const customer = await find(phone);
    const data = await exportOf(api, customer.id);
    expect(data.contactStates).toHaveLength(20);
    expect(data.truncated).toMatchObject({ contactStates: true, auditRecords: false });
  });
});
