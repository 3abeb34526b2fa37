import { describe, expect, it } from 'vitest';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'one-delivery-handoff-secret';
const PAGE = '1000001';

/**
 * A Messenger customer's two messages in one webhook delivery: a greeting the AI answers, then a
 * message for a person (`must_be_human_topic`). The AI's answer to the greeting is stored after the
 * second message arrived, but answers the greeting only: the customer still waits for the person.
 * The routing policy is open around the clock, so the AI answers whatever the time of the run.
 */
describe('local runtime: the AI’s answer to a first message, a hand-off for the next in the same delivery', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('one-delivery-handoff-token'), admin: true },
    policyFile: slaPolicyFile({}, (policy) => {
      (policy.businessHours as { hours: unknown }).hours = [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open: '00:00', close: '24:00' },
      ];
    }),
    routing: true,
  });
  const { manual, idle, api } = clock;
  const { find, timeline } = customerReads(api);

  it('keeps the customer waiting for the person the second message was handed to', async () => {
    const psid = '7900000000000101';
    const now = manual.now();
    const event = (mid: string, ms: number, text: string) => ({
      sender: { id: psid },
      recipient: { id: PAGE },
      timestamp: ms,
      message: { mid, text },
    });
    const body = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: now,
          messaging: [
            event('m_one_a', now - 5_000, 'hey!'),
            event('m_one_b', now - 3_000, 'my parcel arrived broken, I want a refund'),
          ],
        },
      ],
    };
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', body, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
    const customer = await find(`${PAGE}:${psid}`);
    const items = await timeline(customer.id);
    const reasons = items.map((i) => (i.data as { reason?: string } | undefined)?.reason);
    expect(reasons).toContain('must_be_human_topic');
    const id = customer.openConversationId as string;
    const conversation = await api<{ waiting: boolean; queue?: string }>('GET', `/api/conversations/${id}`);
    expect(conversation).toMatchObject({ waiting: true, queue: 'billing' });
  });
});
