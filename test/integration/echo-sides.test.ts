import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useMetaRuntime } from '../support/meta-runtime.js';
import { messengerMessage, whatsappEcho, whatsappText } from '../support/webhooks.js';

const SECRET = 'echo-sides-secret';
const TOKEN = agentToken('echo-sides-token');
const PAGE = '111222333444';
/** Not ours: the app id Meta gives its own Page inbox. */
const PAGE_INBOX_APP = 263902037430900;

/**
 * QA: a message the business sent from Meta Business Suite (an echo, outbound) was stored `from` the
 * customer, so integrators read the business's words as the customer's. An outbound item names the
 * customer it went to in `to`, as our own replies do, and has no `from`; an inbound one keeps `from`.
 * An unmerge still gives such an echo back to the customer it went to.
 */
describe('local runtime: who a business echo names', () => {
  const { runtime, tick, api, post } = useMetaRuntime({
    secret: SECRET,
    token: TOKEN,
    agent: 'agent-es',
    start: Math.floor(Date.now() / 1000) * 1000,
  });
  const timeline = async (customerId: string) =>
    (await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`)).items;
  const messengerCustomer = async (psid: string) => {
    const identity = { kind: 'messenger' as const, value: `${PAGE}:${psid}` };
    const id = await runtime.store.customers.findCustomerId(identity, { consistent: true });
    if (!id) throw new Error('no customer');
    return { id, identity };
  };

  it('a Page inbox echo names the customer in `to`, not `from`', async () => {
    const psid = 'PSID1001';
    await post(messengerMessage({ page: PAGE, psid, ms: tick(), message: { mid: 'm_es_q', text: 'Open?' } }));
    const echo = { mid: 'm_es_a', text: 'Yes, 10 to 4.', app_id: PAGE_INBOX_APP };
    await post(messengerMessage({ page: PAGE, psid, ms: tick(), message: echo, echo: true }));
    const { id, identity } = await messengerCustomer(psid);
    const items = await timeline(id);
    const inbound = items.find((i) => i.providerMessageId === 'm_es_q');
    const outbound = items.find((i) => i.providerMessageId === 'm_es_a');
    expect(inbound?.from).toEqual(identity);
    expect(outbound?.direction).toBe('outbound');
    expect(outbound?.from).toBeUndefined();
    expect(outbound?.to).toEqual(identity);
  });

  it('a WhatsApp Business app echo the same', async () => {
    const phone = '447700900611';
    const at = new Date(tick()).toISOString();
    await post(
      whatsappText({ from: phone, messages: [{ id: 'wamid.ES1', at, text: 'Hi' }] }),
      '/webhooks/whatsapp',
    );
    await post(
      whatsappEcho({ to: phone, id: 'wamid.ES2', at: new Date(tick()).toISOString(), text: 'Hello!' }),
      '/webhooks/whatsapp',
    );
    const identity = { kind: 'phone' as const, value: `+${phone}` };
    const id = (await runtime.store.customers.findCustomerId(identity, { consistent: true })) as string;
    const outbound = (await timeline(id)).find((i) => i.providerMessageId === 'wamid.ES2');
    expect(outbound?.from).toBeUndefined();
    expect(outbound?.to).toEqual(identity);
  });

  it('an unmerge gives the echo back to the customer it went to', async () => {
    await post(
      messengerMessage({ page: PAGE, psid: 'PSID1002', ms: tick(), message: { mid: 'm_es_k', text: 'Hi' } }),
    );
    await post(
      messengerMessage({ page: PAGE, psid: 'PSID1003', ms: tick(), message: { mid: 'm_es_s', text: 'Hey' } }),
    );
    const kept = await messengerCustomer('PSID1002');
    const source = await messengerCustomer('PSID1003');
    tick();
    await api('POST', `/api/customers/${kept.id}/merge`, { customerId: source.id });
    const echo = { mid: 'm_es_e', text: 'Thanks, noted.', app_id: PAGE_INBOX_APP };
    await post(messengerMessage({ page: PAGE, psid: 'PSID1003', ms: tick(), message: echo, echo: true }));
    tick();
    await api('POST', `/api/customers/${kept.id}/unmerge`, { customerId: source.id });
    await runtime.idle();
    expect((await timeline(source.id)).map((i) => i.providerMessageId)).toContain('m_es_e');
    expect((await timeline(kept.id)).map((i) => i.providerMessageId)).not.toContain('m_es_e');
  });
});
