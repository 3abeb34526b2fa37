import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import {
  deliver,
  IG_ACCOUNT,
  messengerMessage,
  metaEvent,
  metaFixtureEvent,
  signedMeta,
} from '../support/webhooks.js';

const META_SECRET = 'meta-acknowledgements-secret';
const PAGE = '111222333555';
/** A question the knowledge-base responder answers, and one it hands to a person. */
const ANSWERED = 'How long does shipping take?';
const HANDED_ON = 'When will the green satin skirt be back in stock?';
/** Messenger's Like button as Messenger sends it: the thumbs-up sticker, its id on the message too. */
const LIKE = {
  sticker_id: 369239263222822,
  attachments: [
    {
      type: 'image',
      payload: {
        url: 'https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png',
        sticker_id: 369239263222822,
      },
    },
  ],
};

type ConversationRead = Conversation & { waiting?: boolean };

/**
 * What says nothing new in the thread: a customer's like (Messenger's Like button, sent as the thumbs-up
 * sticker; Instagram's heart, `like_heart`), and Instagram's own item for a story of the brand that
 * mentions the customer (an echoed `story_mention`). Before, a like was a new question (it reopened a
 * resolved conversation, started a wait, handed an AI-answered conversation to a person) and the
 * mention was a colleague's answer (the wait ended, the first response was met, the AI fell silent).
 * Through the local runtime, with routing and the AI on, on manual time.
 */
describe('local runtime: likes and story-mention echoes are neither questions nor answers', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('meta-acknowledgements-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT1H', nextResponse: 'PT1H', aiRepliesCount: true }),
    routing: true,
  });
  const { manual, idle, advance, api } = clock;
  const { timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const customerOf = async (kind: 'messenger' | 'instagram', value: string) => {
    const id = await clock.runtime.store.customers.findCustomerId({ kind, value }, { consistent: true });
    return api<Customer>('GET', `/api/customers/${id}`);
  };
  const post = async (payload: unknown) => {
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };
  const messenger = (psid: string, message: Record<string, unknown>) =>
    post(messengerMessage({ page: PAGE, psid, ms: manual.now(), message }));
  /** An Instagram event between our account and `igsid`: from them, or (`fromUs`) from our account. */
  const instagram = (igsid: string, event: Record<string, unknown>, fromUs = false) => {
    const [sender, recipient] = fromUs ? [IG_ACCOUNT, igsid] : [igsid, IG_ACCOUNT];
    return post(
      metaEvent({
        object: 'instagram',
        account: IG_ACCOUNT,
        ms: manual.now(),
        event: { sender: { id: sender }, recipient: { id: recipient }, ...event },
      }),
    );
  };
  const count = async (customerId: string, which: (item: TimelineItem) => boolean) =>
    (await timeline(customerId)).filter(which).length;
  const routed = (i: TimelineItem) => i.event === 'routed';
  const sent = (i: TimelineItem) => i.type === 'message' && i.direction === 'outbound';

  it('keeps an AI-answered conversation with the AI on a Messenger like: no wait, no hand-off', async () => {
    const psid = '5550007001';
    await messenger(psid, { mid: 'm_q_7001', text: ANSWERED });
    const customer = await customerOf('messenger', `${PAGE}:${psid}`);
    const id = customer.openConversationId ?? '';
    expect(await count(customer.id, sent)).toBe(1);
    const routings = await count(customer.id, routed);
    await advance(60_000);
    await messenger(psid, { mid: 'm_like_7001', ...LIKE });
    const now = await conversation(id);
    expect(now.waiting).toBeFalsy();
    expect(now.assignee).toBeUndefined();
    expect(await count(customer.id, routed)).toBe(routings);
    expect(await count(customer.id, (i) => i.type === 'note')).toBe(0);
    // Kept, beside the answer it acknowledges.
    const like = (await timeline(customer.id)).find((i) => i.providerMessageId === 'm_like_7001');
    expect(like).toMatchObject({ conversationId: id, contentType: 'sticker', data: { like: '👍' } });
  });

  it('does not reopen a resolved conversation on an Instagram heart', async () => {
    const igsid = '5550007002';
    await instagram(igsid, { message: { mid: 'ig_q_7002', text: ANSWERED } });
    const customer = await customerOf('instagram', `${IG_ACCOUNT}:${igsid}`);
    const id = customer.openConversationId ?? '';
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    await advance(60_000);
    await instagram(igsid, { message: { mid: 'ig_like_7002', attachments: [{ type: 'like_heart' }] } });
    expect((await conversation(id)).status).toBe('resolved');
    expect((await customerOf('instagram', `${IG_ACCOUNT}:${igsid}`)).openConversationId).toBeUndefined();
  });

  it.each([
    ['sent by our account', true],
    ["as the peer payload has it (the customer's sides, is_echo)", false],
  ])('keeps the question waiting on the echo of a story mentioning the customer, %s', async (_, fromUs) => {
    const igsid = fromUs ? '5550007003' : '5550007004';
    await instagram(igsid, { message: { mid: `ig_q_${igsid}`, text: HANDED_ON } });
    const customer = await customerOf('instagram', `${IG_ACCOUNT}:${igsid}`);
    const id = customer.openConversationId ?? '';
    const before = await conversation(id);
    expect(before.waiting).toBe(true);
    await advance(60_000);
    const mention = metaFixtureEvent('peer-instagram_story_mention_echo');
    await instagram(
      igsid,
      { message: { ...(mention.message as object), mid: `ig_mention_${igsid}` } },
      fromUs,
    );
    const after = await conversation(id);
    expect(after.waiting).toBe(true);
    expect(after.waitingSince).toBe(before.waitingSince);
    expect(after.answeredAt).toBeUndefined();
    const state = await clock.runtime.store.conversationState.getConversationState(id);
    expect(state?.state.humanRepliedAt).toBeUndefined();
  });
});
