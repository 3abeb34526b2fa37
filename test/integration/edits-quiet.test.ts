import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, messengerMessage, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'edits-quiet-meta-secret';
const PAGE = '1234567891';

/** A 30-second target, and a rule that notes every (re)opened conversation. */
const POLICY = slaPolicyFile({ firstResponse: 'PT30S', nextResponse: 'PT30S' }, (policy) => {
  policy.automations = [
    { name: 'opened-note', trigger: 'conversation_opened', actions: [{ type: 'note', text: 'Opened.' }] },
  ];
});

type ConversationRead = Conversation & { waiting?: boolean; sla?: SlaState };

/**
 * A customer who corrects or unsends an old message changes that message only: a resolved conversation
 * stays resolved, a snoozed one stays snoozed, an open one keeps the wait it had (none when answered),
 * and no response target starts. Before, the edit or deletion was taken as the customer writing again:
 * it reopened the conversation (`conversation.opened`, reopened), woke a snoozed one (reason `customer`)
 * and made the agents wait from its time.
 */
describe('local runtime: an edit or a deletion of an old message is not the customer writing again', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('edits-quiet-ana-token'), admin: true },
    policyFile: POLICY,
  });
  const { manual, idle, advance, whatsapp, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const edit = (from: string, id: string, target: string, body: string) =>
    whatsapp({
      from,
      id,
      extra: {
        type: 'edit',
        text: undefined,
        edit: { original_message_id: target, message: { type: 'text', text: { body } } },
      },
    });
  const revoke = (from: string, id: string, target: string) =>
    whatsapp({
      from,
      id,
      extra: { type: 'revoke', text: undefined, revoke: { original_message_id: target } },
    });
  const events = async (customerId: string, event: string) =>
    (await timeline(customerId)).filter((i) => i.event === event).length;
  /** A customer who asked twice and was answered: their phone, customer id and conversation id. */
  const answered = async (phone: string) => {
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'first question' });
    await whatsapp({ from: phone, id: `wamid.${phone}.2`, text: 'second question' });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId ?? '';
    await advance(5_000);
    const reply = { text: 'Both answered.', channel: 'whatsapp' };
    expect((await clock.call('POST', `/api/conversations/${id}/replies`, reply)).status).toBe(202);
    await advance(5_000);
    return { customerId: customer.id, id };
  };

  it('gives the preview the edited words when the edited message is the one it came from, and only then', async () => {
    const phone = '15550009011';
    const { id } = await answered(phone);
    expect((await conversation(id)).preview).toBe('first question');
    await edit(phone, `wamid.${phone}.E2`, `wamid.${phone}.2`, 'second question, edited');
    await advance(5_000);
    expect((await conversation(id)).preview).toBe('first question');
    await edit(phone, `wamid.${phone}.E1`, `wamid.${phone}.1`, 'first question, edited');
    await advance(5_000);
    expect((await conversation(id)).preview).toBe('first question, edited');
  });

  it('keeps a resolved WhatsApp conversation resolved when an old message is edited or revoked', async () => {
    const phone = '15550009001';
    const { customerId, id } = await answered(phone);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const opened = await events(customerId, 'automation');
    const { lastInboundAt } = await find(`+${phone}`);
    expect(lastInboundAt).toBeDefined();
    await advance(60_000);
    await edit(phone, `wamid.${phone}.E1`, `wamid.${phone}.1`, 'first question (typo fixed)');
    await advance(5_000);
    await revoke(phone, `wamid.${phone}.D2`, `wamid.${phone}.2`);
    await advance(120_000);
    const now = await conversation(id);
    expect(now.status).toBe('resolved');
    expect(now.waiting).toBeFalsy();
    expect(now.waitingSince).toBeUndefined();
    const after = await find(`+${phone}`);
    expect(after.openConversationId).toBeUndefined();
    // No reply window renewed: the customer's last message is still their last word.
    expect(after.lastInboundAt).toBe(lastInboundAt);
    expect(await events(customerId, 'automation')).toBe(opened);
    expect(await events(customerId, 'sla_breached')).toBe(0);
    // The items changed: the edit is shown, the revoked message has no words.
    const items = await timeline(customerId);
    expect(items.find((i) => i.event === 'edit')).toMatchObject({ conversationId: id });
    const second = items.find((i) => i.providerMessageId === `wamid.${phone}.2`);
    expect(second?.text).toBeUndefined();
  });

  it('does not wake a snoozed conversation on an edit or a revoke', async () => {
    const phone = '15550009002';
    const { customerId, id } = await answered(phone);
    const until = new Date(manual.now() + 3_600_000).toISOString();
    await api('POST', `/api/conversations/${id}/snooze`, { until });
    await advance(60_000);
    await edit(phone, `wamid.${phone}.E1`, `wamid.${phone}.1`, 'first question, edited');
    await revoke(phone, `wamid.${phone}.D2`, `wamid.${phone}.2`);
    await idle();
    const now = await conversation(id);
    expect(now.snoozedUntil).toBe(until);
    expect(now.waitingSince).toBeUndefined();
    expect(await events(customerId, 'woke')).toBe(0);
    const snoozed = await api<{ items: Conversation[] }>(
      'GET',
      '/api/conversations?status=snoozed&limit=200',
    );
    expect(snoozed.items.map((c) => c.id)).toContain(id);
  });

  it('keeps an unanswered message waiting from itself when it is edited, and an answered one answered', async () => {
    const phone = '15550009003';
    await whatsapp({ from: phone, id: `wamid.${phone}.1`, text: 'whre is my order' });
    const id = (await find(`+${phone}`)).openConversationId ?? '';
    const waitingSince = (await conversation(id)).waitingSince;
    expect(waitingSince).toBeDefined();
    await advance(10_000);
    await edit(phone, `wamid.${phone}.E1`, `wamid.${phone}.1`, 'where is my order');
    expect((await conversation(id)).waitingSince).toBe(waitingSince);

    const other = '15550009004';
    const asked = await answered(other);
    await advance(10_000);
    await edit(other, `wamid.${other}.E1`, `wamid.${other}.2`, 'second question, edited');
    const now = await conversation(asked.id);
    expect(now.status).toBe('open');
    expect(now.waiting).toBeFalsy();
    await advance(60_000);
    expect(await events(asked.customerId, 'sla_breached')).toBe(0);
  });

  it('keeps a resolved Messenger conversation resolved when a message is unsent', async () => {
    const psid = '5550009101';
    const post = async (payload: unknown) => {
      const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', payload, META_SECRET));
      expect(answer.status).toBe(200);
      await idle();
    };
    await post(
      messengerMessage({ page: PAGE, psid, ms: manual.now(), message: { mid: 'm_unsend_1', text: 'Hi' } }),
    );
    const customer = await find(`${PAGE}:${psid}`);
    const id = customer.openConversationId ?? '';
    await advance(5_000);
    await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    const opened = await events(customer.id, 'automation');
    await advance(30_000);
    await post(
      messengerMessage({
        page: PAGE,
        psid,
        ms: manual.now(),
        message: { mid: 'm_unsend_1', is_deleted: true },
      }),
    );
    await advance(60_000);
    const now = await conversation(id);
    expect(now.status).toBe('resolved');
    expect(now.waitingSince).toBeUndefined();
    expect(await events(customer.id, 'automation')).toBe(opened);
  });
});
