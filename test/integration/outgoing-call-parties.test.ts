import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { twilioPoster } from '../support/webhooks.js';

const TOKEN = agentToken('outgoing-call-parties-token');
const ACCOUNT = 'AC00000000000000000000000000000810';
const BUSINESS = '+15005550006';

/**
 * A call placed from our Twilio number to the customer (an agent's call-back) is stored as ours: the
 * business number `from`, the customer `to`, as a reply names whom it went to. QA: the timeline said
 * the call-back came from the customer, the callee, as if they had rung us.
 */
describe('local runtime: an outgoing call names the business as its caller and the customer as its callee', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `admin-ola:${TOKEN}:admin` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => runtime.idle());
  const twilio = (path: string, params: Record<string, string>) => post(`${runtime.url}${path}`, params);
  const call = (sid: string, from: string, to: string, direction: string, callStatus: string) =>
    twilio('/webhooks/twilio/voice/status', {
      AccountSid: ACCOUNT,
      CallSid: sid,
      From: from,
      To: to,
      Direction: direction,
      CallStatus: callStatus,
      CallDuration: '42',
    });
  const callItems = async (customerId: string) =>
    (await timeline(customerId)).filter((item: TimelineItem) => item.event?.startsWith('call_'));

  it("files the call-back on the callee's timeline, from the business number, to them", async () => {
    const customer = '+14155550811';
    await call('CA000000000000000000000000000000811', customer, BUSINESS, 'inbound', 'no-answer');
    await call('CA000000000000000000000000000000812', BUSINESS, customer, 'outbound-api', 'completed');
    const found = await find(customer);
    const items = await callItems(found.id);
    expect(items.map((i) => [i.direction, i.event, i.from, i.to])).toEqual([
      // The inbound call names which of our numbers was called.
      ['inbound', 'call_missed', { kind: 'phone', value: customer }, { kind: 'phone', value: BUSINESS }],
      ['outbound', 'call_completed', { kind: 'phone', value: BUSINESS }, { kind: 'phone', value: customer }],
    ]);
    // The business number is nobody's identity: the customer holds their own only.
    expect(found.identities).toEqual([{ kind: 'phone', value: customer }]);
    expect(
      (await api<{ items: unknown[] }>('GET', `/api/customers?q=${encodeURIComponent(BUSINESS)}`)).items,
    ).toEqual([]);
  });

  it('starts a customer for a callee never seen, named in `to`', async () => {
    const callee = '+14155550813';
    await call('CA000000000000000000000000000000813', BUSINESS, callee, 'outbound-dial', 'no-answer');
    const found = await find(callee);
    expect(found.identities).toEqual([{ kind: 'phone', value: callee }]);
    expect((await callItems(found.id)).map((i) => [i.event, i.from, i.to])).toEqual([
      ['call_missed', { kind: 'phone', value: BUSINESS }, { kind: 'phone', value: callee }],
    ]);
  });

  it('gives the call-back back with its callee on an unmerge, as a message they wrote', async () => {
    const [kept, away] = ['+14155550821', '+14155550822'];
    await call('CA000000000000000000000000000000821', kept, BUSINESS, 'inbound', 'no-answer');
    await call('CA000000000000000000000000000000822', away, BUSINESS, 'inbound', 'no-answer');
    const [keptId, awayId] = [(await find(kept)).id, (await find(away)).id];
    await api('POST', `/api/customers/${keptId}/merge`, { customerId: awayId });
    await call('CA000000000000000000000000000000823', BUSINESS, away, 'outbound-api', 'completed');
    // While merged, the call-back is filed under the kept customer, to the number called.
    const callBack = (items: TimelineItem[]) =>
      items.filter((i) => i.id === 'twilio:call:CA000000000000000000000000000000823:completed');
    expect(callBack(await timeline(keptId)).map((i) => i.to)).toEqual([{ kind: 'phone', value: away }]);

    let done = false;
    for (let call = 0; call < 10 && !done; call++) {
      const answer = await api<{ complete?: boolean }>('POST', `/api/customers/${keptId}/unmerge`, {
        customerId: awayId,
      });
      done = answer.complete !== false;
    }
    expect(done).toBe(true);
    await runtime.idle();
    expect(callBack(await timeline(awayId))).toHaveLength(1);
    const keptItems = await timeline(keptId);
    expect(callBack(keptItems)).toEqual([]);
    expect(keptItems.some((i) => i.id === 'twilio:call:CA000000000000000000000000000000821:missed')).toBe(
      true,
    );
  });
});
