import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, messengerMessage, metaEvent, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'meta-notices-secret';
const PAGE = '111222333444';
const QUESTION = 'How long does shipping take?';
const OTHER_APP = '263902037430900';

type ConversationRead = Conversation & { waiting?: boolean };

/**
 * Handover-protocol events (`pass_thread_control`, `take_thread_control`, `request_thread_control`,
 * `app_roles`) and optins are Meta's news about the thread, not the customer's word. Before, each was
 * kept as an "unsupported message" from the customer: it made an answered conversation wait again,
 * reopened a resolved one, was routed (the AI's hand-off note), renewed the 24-hour reply window, and
 * from someone never seen created a customer with an inbox conversation. Through the local runtime,
 * with routing and the AI on, on manual time.
 */
describe('local runtime: Messenger handover events and optins are no customer message', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('meta-notices-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT1H', nextResponse: 'PT1H', aiRepliesCount: true }),
    routing: true,
  });
  const { manual, idle, advance, api } = clock;
  const { timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const customerOf = async (psid: string) => {
    const id = await clock.runtime.store.customers.findCustomerId(
      { kind: 'messenger', value: `${PAGE}:${psid}` },
      { consistent: true },
    );
    return id ? api<Customer>('GET', `/api/customers/${id}`) : undefined;
  };
  const post = async (payload: unknown) => {
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };
  const ask = (psid: string, mid: string, text = QUESTION) =>
    post(messengerMessage({ page: PAGE, psid, ms: manual.now(), message: { mid, text } }));
  /** One `messaging[]` event from the person, carrying `fields` (`pass_thread_control: {...}`...). */
  const notice = (psid: string, fields: Record<string, unknown>) =>
    post(
      metaEvent({
        object: 'page',
        account: PAGE,
        ms: manual.now(),
        event: { sender: { id: psid }, recipient: { id: PAGE }, ...fields },
      }),
    );
  const outbound = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.direction === 'outbound').length;
  const routed = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.event === 'routed').length;

  it('keeps an answered conversation answered, the reply window where the customer left it', async () => {
    const psid = '5550005002';
    await ask(psid, 'm_q_5002');
    const before = (await customerOf(psid)) as Customer;
    const id = before.openConversationId ?? '';
    expect(await outbound(before.id)).toBe(1);
    expect((await conversation(id)).waiting).toBeFalsy();
    const [sent, routings] = [await outbound(before.id), await routed(before.id)];
    await advance(20 * 60_000);
    await notice(psid, { pass_thread_control: { new_owner_app_id: OTHER_APP, metadata: 'to the inbox' } });
    await advance(1_000);
    await notice(psid, { take_thread_control: { previous_owner_app_id: OTHER_APP, metadata: '' } });
    await advance(1_000);
    await notice(psid, { request_thread_control: { requested_owner_app_id: OTHER_APP, metadata: '' } });
    await advance(1_000);
    await notice(psid, { app_roles: { [OTHER_APP]: ['primary_receiver'] } });
    const now = await conversation(id);
    expect(now.status).toBe('open');
    expect(now.waiting).toBeFalsy();
    expect(await outbound(before.id)).toBe(sent);
    expect(await routed(before.id)).toBe(routings);
    const after = (await customerOf(psid)) as Customer;
    expect(after.lastInboundByChannel).toEqual(before.lastInboundByChannel);
    // Kept beside the conversation, as the events they are.
    const kept = (await timeline(before.id)).filter((i: TimelineItem) => i.data?.notice === true);
    expect(kept.map((i) => [i.conversationId, i.data?.unsupportedType])).toEqual([
      [id, 'pass_thread_control'],
      [id, 'take_thread_control'],
      [id, 'request_thread_control'],
      [id, 'app_roles'],
    ]);
  });

  it('does not reopen a resolved conversation on an optin', async () => {
    const psid = '5550005003';
    await ask(psid, 'm_q_5003');
    const customer = (await customerOf(psid)) as Customer;
    const id = customer.openConversationId ?? '';
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    await advance(60_000);
    await notice(psid, { optin: { type: 'notification_messages', payload: 'offers', title: 'Offers' } });
    expect((await conversation(id)).status).toBe('resolved');
    expect((await customerOf(psid))?.openConversationId).toBeUndefined();
  });

  it('creates no customer for a handover event from someone never seen', async () => {
    const psid = '5550005004';
    await notice(psid, { pass_thread_control: { new_owner_app_id: OTHER_APP, metadata: '' } });
    expect(await customerOf(psid)).toBeUndefined();
    expect(clock.runtime.deadLetter.messages()).toEqual([]);
  });
});
