import { describe, expect, it } from 'vitest';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, messengerMessage, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'one-delivery-handoff-secret';
const PAGE = '1000001';
/** Not ours: the app id Meta gives its own Page inbox. */
const PAGE_INBOX_APP = 263902037430900;

/**
 * Two Messenger hand-offs. A Messenger customer's two messages in one webhook delivery: a greeting the AI answers, then a
 * message for a person (`must_be_human_topic`). The AI's answer to the greeting is stored after the
 * second message arrived, but answers the greeting only: the customer still waits for the person.
 * Second, the business writes first from the Page inbox (its echo), then the customer answers: a person
 * has the conversation (the AI stays silent), but nobody is assigned and it was in no queue, so the
 * customer's message is handed to a queue, with its note, as any message for a person.
 * The routing policy is open around the clock, so the AI answers whatever the time of the run.
 */
describe('local runtime: Messenger hand-offs after the AI’s answer or a Page inbox message', () => {
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
  const post = async (payload: unknown) => {
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };

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
    await post(body);
    const customer = await find(`${PAGE}:${psid}`);
    const items = await timeline(customer.id);
    const reasons = items.map((i) => (i.data as { reason?: string } | undefined)?.reason);
    expect(reasons).toContain('must_be_human_topic');
    const id = customer.openConversationId as string;
    const conversation = await api<{ waiting: boolean; queue?: string }>('GET', `/api/conversations/${id}`);
    expect(conversation).toMatchObject({ waiting: true, queue: 'billing' });
  });

  it('hands the message to a queue: listed there, with a hand-off note, the AI silent', async () => {
    const psid = '7900000000000201';
    const now = manual.now();
    const echo = { mid: 'm_first_g', app_id: PAGE_INBOX_APP, text: 'Hi! Thanks for messaging us.' };
    await post(messengerMessage({ page: PAGE, psid, ms: now - 5_000, message: echo, echo: true }));
    const text = 'My parcel never arrived, order 5521';
    await post(messengerMessage({ page: PAGE, psid, ms: now - 3_000, message: { mid: 'm_first_f', text } }));
    const customer = await find(`${PAGE}:${psid}`);
    const id = customer.openConversationId as string;
    const conversation = await api<{ waiting: boolean; queue?: string }>('GET', `/api/conversations/${id}`);
    expect(conversation).toMatchObject({ waiting: true, queue: 'general' });
    const listed = await api<{ items: { id: string }[] }>(
      'GET',
      '/api/conversations?status=open&queue=general',
    );
    expect(listed.items.map((c) => c.id)).toContain(id);
    const items = await timeline(customer.id);
    expect(items.filter((i) => i.type === 'note')).toHaveLength(1);
    const ai = items.filter(
      (i) => i.direction === 'outbound' && (i.data?.author as { kind?: string } | undefined)?.kind === 'ai',
    );
    expect(ai).toEqual([]);
  });
});
