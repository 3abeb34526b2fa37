import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useMetaRuntime } from '../support/meta-runtime.js';
import { IG_ACCOUNT, instagramText, messengerMessage } from '../support/webhooks.js';

const SECRET = 'merge-inbound-secret';
const TOKEN = agentToken('merge-inbound-token');
const PAGE = '111222333444';
const DAY = 86_400_000;

/**
 * QA: the same person wrote on Messenger, then a second later on Instagram; an agent merged the
 * Instagram customer into the Messenger one. The kept profile said it last heard from them on
 * Messenger, with no Instagram time at all, and a reply naming no channel went out on Messenger. The
 * merge now keeps the later of each channel's last-inbound time and the latest channel overall.
 */
describe('local runtime: a merge keeps the latest inbound channel and time of either customer', () => {
  const { runtime, calls, tick, api, post } = useMetaRuntime({
    secret: SECRET,
    token: TOKEN,
    agent: 'agent-mi',
    start: Date.now() + 8 * DAY,
  });
  const customerOf = async (kind: 'messenger' | 'instagram', value: string) => {
    const id = await runtime.store.customers.findCustomerId({ kind, value }, { consistent: true });
    if (!id) throw new Error('no customer');
    return id;
  };
  const pair = async (psid: string, igsid: string) => {
    const messengerAt = tick();
    await post(
      messengerMessage({ page: PAGE, psid, ms: messengerAt, message: { mid: `m_${psid}`, text: 'Hi' } }),
    );
    const instagramAt = tick();
    await post(
      instagramText({
        sender: igsid,
        mid: `ig_${igsid}`,
        at: new Date(instagramAt).toISOString(),
        text: 'Hi again',
      }),
    );
    return {
      messenger: await customerOf('messenger', `${PAGE}:${psid}`),
      instagram: await customerOf('instagram', `${IG_ACCOUNT}:${igsid}`),
      messengerAt: new Date(messengerAt).toISOString(),
      instagramAt: new Date(instagramAt).toISOString(),
    };
  };

  it('takes the source’s later channel and time, and a reply naming no channel goes out there', async () => {
    const p = await pair('PSID3101', 'IGSID3101');
    tick();
    calls.length = 0;
    await api('POST', `/api/customers/${p.messenger}/merge`, { customerId: p.instagram });
    await runtime.idle();
    // No conditional write of the kept profile failed: each carried time was the later one.
    const refused = calls.filter(
      (c) =>
        c.command === 'UpdateItem' && c.pk === `CUSTOMER#${p.messenger}` && c.sk === 'PROFILE' && c.failed,
    );
    expect(refused).toEqual([]);
    const kept = await api<Customer>('GET', `/api/customers/${p.messenger}`);
    expect(kept.lastInboundChannel).toBe('instagram');
    expect(kept.lastInboundAt).toBe(p.instagramAt);
    expect(kept.lastInboundByChannel).toEqual({ messenger: p.messengerAt, instagram: p.instagramAt });
    const profile = await api<{ openConversationId: string }>('GET', `/api/customers/${p.messenger}`);
    const before = runtime.outbox.entries().length;
    tick();
    await api('POST', `/api/conversations/${profile.openConversationId}/replies`, { text: 'Found it' });
    await runtime.idle();
    expect(runtime.outbox.entries()[before]?.message.channel).toBe('instagram');
  });

  it('gives the times back with an unmerge: the kept customer last wrote on Messenger again', async () => {
    const p = await pair('PSID3103', 'IGSID3103');
    tick();
    await api('POST', `/api/customers/${p.messenger}/merge`, { customerId: p.instagram });
    tick();
    await api('POST', `/api/customers/${p.messenger}/unmerge`, { customerId: p.instagram });
    await runtime.idle();
    const kept = await api<Customer>('GET', `/api/customers/${p.messenger}`);
    expect(kept.lastInboundChannel).toBe('messenger');
    expect(kept.lastInboundAt).toBe(p.messengerAt);
    expect(kept.lastInboundByChannel).toEqual({ messenger: p.messengerAt });
  });

  it('keeps the target’s own time where it is the later one, and is the same when asked again', async () => {
    const p = await pair('PSID3102', 'IGSID3102');
    tick();
    // The Instagram customer is kept: its own time is the later, Messenger's comes from the source.
    await api('POST', `/api/customers/${p.instagram}/merge`, { customerId: p.messenger });
    await api('POST', `/api/customers/${p.instagram}/merge`, { customerId: p.messenger });
    await runtime.idle();
    const kept = await api<Customer>('GET', `/api/customers/${p.instagram}`);
    expect(kept.lastInboundChannel).toBe('instagram');
    expect(kept.lastInboundAt).toBe(p.instagramAt);
    expect(kept.lastInboundByChannel).toEqual({ messenger: p.messengerAt, instagram: p.instagramAt });
  });
});
