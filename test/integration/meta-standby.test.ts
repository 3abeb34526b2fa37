import { describe, expect, it } from 'vitest';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, IG_ACCOUNT, metaEvent, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'meta-standby-secret';
const PAGE = '111222333444';
const QUESTION = 'How long does shipping take?';

type ConversationRead = Conversation & { waiting?: boolean };

/**
 * A message in `standby` (`entry[].standby[]`) came while another app holds the thread (Meta's
 * handover protocol): that app answers it. Threadline, the secondary receiver, keeps it for the agents
 * to read and stays silent: no AI answer, no routing, no wait. Before, it was routed and the AI
 * answered beside the app that owns the thread. Through the local runtime, with routing and the AI on.
 */
describe('local runtime: a Messenger or Instagram message in standby', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('meta-standby-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT1H', nextResponse: 'PT1H', aiRepliesCount: true }),
    routing: true,
  });
  const { manual, idle, api } = clock;
  const { timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  /** A message from the person, in `messaging[]` or (`standby`) in `standby[]`. */
  const post = async (
    channel: 'messenger' | 'instagram',
    options: { person: string; mid: string; text: string; standby: boolean },
  ) => {
    const account = channel === 'messenger' ? PAGE : IG_ACCOUNT;
    const body = metaEvent({
      object: channel === 'messenger' ? 'page' : 'instagram',
      account,
      ms: manual.now(),
      standby: options.standby,
      event: {
        sender: { id: options.person },
        recipient: { id: account },
        message: { mid: options.mid, text: options.text },
      },
    });
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', body, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
    const customerId = await clock.runtime.store.customers.findCustomerId(
      { kind: channel, value: `${account}:${options.person}` },
      { consistent: true },
    );
    return customerId ?? '';
  };
  const silent = async (customerId: string) => {
    const items = await timeline(customerId);
    const kept = items.filter((i: TimelineItem) => i.data?.standby === true);
    expect(kept.map((i) => [i.direction, i.text])).toEqual([['inbound', QUESTION]]);
    expect(
      items.filter((i) => i.direction === 'outbound' || i.event === 'routed' || i.type === 'note'),
    ).toEqual([]);
    const read = await conversation(kept[0]?.conversationId ?? '');
    expect(read.waiting).toBeFalsy();
  };

  it.each([
    ['messenger', '5550007001'],
    ['instagram', '6660007001'],
  ] as const)('keeps a %s message in standby and answers nothing', async (channel, person) => {
    const customerId = await post(channel, { person, mid: `sb_${person}`, text: QUESTION, standby: true });
    await silent(customerId);
  });

  it('answers the same customer again once a message comes to Threadline itself', async () => {
    const person = '5550007002';
    const customerId = await post('messenger', { person, mid: 'm_sb_7002', text: QUESTION, standby: true });
    await post('messenger', { person, mid: 'm_own_7002', text: QUESTION, standby: false });
    const items = await timeline(customerId);
    expect(items.filter((i) => i.direction === 'outbound')).toHaveLength(1);
    expect(items.filter((i) => i.event === 'routed')).toHaveLength(1);
  });
});
