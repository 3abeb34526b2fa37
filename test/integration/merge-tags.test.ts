import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';

/**
 * A merge keeps the tags of both customers on the kept one, so the rules that read tags (the policy's
 * `vipTag`, SLA policies, automations, survey exclusions) treat the merged person as either was; an
 * unmerge takes back only the tags the merge brought. Before, the kept customer had its own tags only:
 * a VIP merged into an untagged customer was routed as anyone, and the AI answered them.
 * Through the local runtime with routing on, the shipped policy open around the clock, manual time.
 */
describe('local runtime: a merge keeps both customers’ tags', () => {
  const clock = useClockRuntime({
    metaSecret: 'merge-tags-meta-secret',
    agent: { token: agentToken('merge-tags-admin-token'), admin: true },
    policyFile: alwaysOpenPolicyFile(),
    routing: true,
    env: { REOPEN_WINDOW_HOURS: '0.001' },
  });
  const { whatsapp, advance, api } = clock;
  const { find, timeline } = customerReads(api);
  const tagsOf = async (id: string) => [...(await api<Customer>('GET', `/api/customers/${id}`)).tags].sort();
  const routedFor = async (customerId: string, wamid: string) =>
    (await timeline(customerId)).find((i: TimelineItem) => i.id === `route:whatsapp:${wamid}`)?.data;

  it('routes the merged-in VIP as a VIP, and an unmerge gives back only what the merge brought', async () => {
    const X = '15105550101';
    const Y = '15105550202';
    const Z = '15105550303';
    for (const phone of [X, Y, Z]) await whatsapp({ from: phone, id: `wamid.MT${phone}a`, text: 'hello' });
    const [x, y, z] = await Promise.all([X, Y, Z].map((phone) => find(`+${phone}`)));
    if (!x || !y || !z) throw new Error('each phone has its customer');
    await api('PATCH', `/api/customers/${x.id}/tags`, { add: ['vip', 'late-payer'] });
    await api('PATCH', `/api/customers/${y.id}/tags`, { add: ['billing', 'late-payer'] });
    await api('PATCH', `/api/customers/${z.id}/tags`, { add: ['vip'] });
    for (const customer of [x, y, z]) {
      await api('POST', `/api/conversations/${customer.openConversationId}/resolve`, { csat: false });
    }

    await api('POST', `/api/customers/${y.id}/merge`, { customerId: x.id });
    expect(await tagsOf(y.id)).toEqual(['billing', 'late-payer', 'vip']);

    // Past the reopen window: each message opens a new conversation, routed afresh.
    await advance(10_000);
    await whatsapp({ from: Z, id: 'wamid.MTz2', text: 'where is my parcel' });
    await whatsapp({ from: X, id: 'wamid.MTx2', text: 'where is my parcel' });
    expect(await routedFor(z.id, 'wamid.MTz2')).toMatchObject({ target: 'human', reason: 'vip' });
    expect(await routedFor(y.id, 'wamid.MTx2')).toMatchObject({ target: 'human', reason: 'vip' });

    // The unmerge takes off the kept customer the tag it had only from the merge (`vip`); its own stay,
    // `late-payer` too (it had it before), and the customer merged away still has all of its own.
    await api('POST', `/api/customers/${y.id}/unmerge`, { customerId: x.id });
    expect(await tagsOf(y.id)).toEqual(['billing', 'late-payer']);
    expect(await tagsOf(x.id)).toEqual(['late-payer', 'vip']);
    // Merged again, the kept customer takes it again.
    await api('POST', `/api/customers/${y.id}/merge`, { customerId: x.id });
    expect(await tagsOf(y.id)).toEqual(['billing', 'late-payer', 'vip']);
  }, 60_000);
});
