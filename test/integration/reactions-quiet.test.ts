import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, messengerMessage, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'reactions-quiet-meta-secret';
const PAGE = '1234567890';
const QUESTION = 'How long does shipping take?';

/** A 30-second target around the clock that the AI's answers meet, and a rule that notes every (re)opened conversation. */
const POLICY = slaPolicyFile(
  { firstResponse: 'PT30S', nextResponse: 'PT30S', aiRepliesCount: true },
  (policy) => {
    policy.automations = [
      { name: 'opened-note', trigger: 'conversation_opened', actions: [{ type: 'note', text: 'Opened.' }] },
    ];
  },
);

type ConversationRead = Conversation & { waiting?: boolean; sla?: SlaState };

/**
 * A customer's reaction (a 👍 on WhatsApp, Messenger or Instagram) to the business's answer is kept and
 * shown, but it is no new word from the customer: it reopens nothing, starts no wait or response target,
 * is routed nowhere (no AI answer) and announces no (re)opened conversation. Through the local runtime,
 * with routing and the AI on, on manual time.
 */
describe('local runtime: a reaction is not the customer speaking', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('reactions-quiet-ana-token'), admin: true },
    policyFile: POLICY,
    routing: true,
  });
  const { manual, idle, advance, whatsapp, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const post = async (path: '/webhooks/whatsapp' | '/webhooks/meta', payload: unknown) => {
    const answer = await deliver(signedMeta(clock.runtime.url, path, payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };
  /** The customer's WhatsApp reaction to the message `target`, at the runtime's time. */
  const whatsappReaction = (from: string, id: string, target: string, emoji = '👍') =>
    post(
      '/webhooks/whatsapp',
      whatsappText({
        from,
        messages: [
          {
            id,
            at: new Date(manual.now()).toISOString(),
            text: '',
            extra: { type: 'reaction', text: undefined, reaction: { message_id: target, emoji } },
          },
        ],
      }),
    );
  const openInbox = async () =>
    (await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200')).items.map(
      (c) => c.id,
    );
  const opened = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.event === 'automation').length;
  const routedFor = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.event === 'routed').map((i) => i.id);
  const aiReplies = async (customerId: string) =>
    (await timeline(customerId)).filter(
      (i) => i.direction === 'outbound' && (i.data?.author as { kind?: string })?.kind === 'ai',
    ).length;

  it('keeps a resolved conversation resolved, waiting on nobody, with no target breached', async () => {
    const phone = '447700900901';
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'I want to speak to a person, please.' });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId ?? '';
    await advance(5_000);
    const reply = { text: 'Done, refund sent.', channel: 'whatsapp' };
    expect((await clock.call('POST', `/api/conversations/${id}/replies`, reply)).status).toBe(202);
    await advance(5_000);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const announced = await opened(customer.id);
    const routed = await routedFor(customer.id);
    const answered = await aiReplies(customer.id);
    await advance(60_000);
    // The customer thumbs up the answer a minute later, within the reopen window.
    await whatsappReaction(phone, `wamid.${phone}.R1`, `wamid.${phone}.1`);
    const now = await conversation(id);
    expect(now.status).toBe('resolved');
    expect(now.waiting).toBeFalsy();
    expect((await find(`+${phone}`)).openConversationId).toBeUndefined();
    expect(await opened(customer.id)).toBe(announced);
    expect(await routedFor(customer.id)).toEqual(routed);
    expect(await aiReplies(customer.id)).toBe(answered);
    // Shown on the conversation of the message it is about.
    const reaction = (await timeline(customer.id)).find((i: TimelineItem) => i.event === 'reaction');
    expect(reaction).toMatchObject({ conversationId: id, emoji: '👍', targetMessageId: `wamid.${phone}.1` });
    await advance(120_000);
    expect((await timeline(customer.id)).filter((i) => i.event === 'sla_breached')).toEqual([]);
  });

  it('starts no wait on an answered open conversation, and the AI does not answer it', async () => {
    const phone = '447700900902';
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: QUESTION });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId ?? '';
    // The AI answered the question.
    expect(await aiReplies(customer.id)).toBe(1);
    expect((await conversation(id)).waiting).toBeFalsy();
    const routed = await routedFor(customer.id);
    await advance(10_000);
    await whatsappReaction(phone, `wamid.${phone}.R1`, `wamid.${phone}.1`, '❤️');
    const now = await conversation(id);
    expect(now).toMatchObject({ status: 'open' });
    expect(now.waiting).toBeFalsy();
    expect(now.waitingSince).toBeUndefined();
    expect(await routedFor(customer.id)).toEqual(routed);
    expect(await aiReplies(customer.id)).toBe(1);
    await advance(120_000);
    expect((await timeline(customer.id)).filter((i) => i.event === 'sla_breached')).toEqual([]);
  });

  it('keeps the reaction of a customer never seen before, out of the inbox until they write', async () => {
    const phone = '447700900903';
    // A reaction to a message sent before Threadline (no customer, no conversation yet).
    await whatsappReaction(phone, `wamid.${phone}.R1`, 'wamid.from-before');
    const customer = await find(`+${phone}`);
    const items = await timeline(customer.id);
    expect(items.filter((i) => i.event === 'reaction')).toHaveLength(1);
    expect(await routedFor(customer.id)).toEqual([]);
    const id = items[0]?.conversationId ?? '';
    const now = await conversation(id);
    expect(now.waiting).toBeFalsy();
    expect(await openInbox()).not.toContain(id);
    // Their first message is a question like any other: it waits.
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'I want to speak to a person, please.' });
    const after = await conversation((await find(`+${phone}`)).openConversationId ?? '');
    expect(after.waiting).toBe(true);
    expect(after.id).toBe(id);
    expect(await openInbox()).toContain(id);
  });

  it('does not reopen a resolved Messenger conversation on a reaction either', async () => {
    const psid = '5550009001';
    const ms = manual.now();
    await post(
      '/webhooks/meta',
      messengerMessage({ page: PAGE, psid, ms, message: { mid: 'm_react_q', text: 'Is it in stock?' } }),
    );
    const customer = await find(`${PAGE}:${psid}`);
    const id = customer.openConversationId ?? '';
    await advance(5_000);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const announced = await opened(customer.id);
    await advance(30_000);
    const reactedAt = manual.now();
    await post('/webhooks/meta', {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: reactedAt,
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: PAGE },
              timestamp: reactedAt,
              reaction: { mid: 'm_react_q', action: 'react', reaction: 'like', emoji: '👍' },
            },
          ],
        },
      ],
    });
    expect((await conversation(id)).status).toBe('resolved');
    expect((await conversation(id)).waiting).toBeFalsy();
    expect(await opened(customer.id)).toBe(announced);
    expect((await timeline(customer.id)).some((i) => i.event === 'reaction')).toBe(true);
  });
});
