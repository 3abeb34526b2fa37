import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { changedItems, readTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappBody } from '../support/webhooks.js';

const META_SECRET = 'number-change-quiet-meta-secret';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type ConversationRead = Conversation & { waiting?: boolean };

/**
 * WhatsApp's `user_changed_number` notice is the provider's news, not the customer's word: filed beside
 * their conversation (as a reaction is), it reopens nothing, opens nothing, starts no wait, and leaves
 * their pending survey answerable, from the new number. Real-shaped Cloud API payloads, manual time.
 */
describe('local runtime: a WhatsApp number change reopens nothing', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('number-change-quiet-ana'), admin: true },
    policyFile: shippedPolicyFileWith((policy) => {
      policy.csat = { enabled: true, delay: 'PT5M', question: 'How did we do?' };
    }),
    routing: true,
  });
  const { manual, idle, advance, api } = clock;
  const { find, timeline } = customerReads(api);
  const conversation = (id: string) => api<ConversationRead>('GET', `/api/conversations/${id}`);
  const surveys = () => clock.runtime.outbox.entries().filter((e) => e.message.author.id === 'csat');
  /** The notice as Meta sends it: no `contacts[]`, `from` the old number, `wa_id` the new one. */
  const numberChange = async (from: string, to: string, id: string) => {
    const message = {
      from,
      id,
      timestamp: String(Math.floor(manual.now() / 1000)),
      type: 'system',
      system: { body: `User Mia changed from ${from} to ${to}`, wa_id: to, type: 'user_changed_number' },
    };
    const payload = whatsappBody({ messages: [message] });
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };
  const resolveAnswered = async (customer: Customer, body?: unknown) => {
    const id = customer.openConversationId as string;
    expect(
      (await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'Chega amanhã.' })).status,
    ).toBe(202);
    await idle();
    await api('POST', `/api/conversations/${id}/resolve`, body);
    await idle();
    return id;
  };

  it('keeps the resolved conversation resolved and the survey answerable from the new number', async () => {
    await clock.whatsapp({ from: '5511987650101', id: 'wamid.nc-1', text: 'Oi, quero saber do meu pedido' });
    const customer = await find('+5511987650101');
    const id = await resolveAnswered(customer);
    await advance(5 * MINUTE);
    const survey = surveys()[0]?.message;
    expect(survey?.conversationId).toBe(id);

    await numberChange('5511987650101', '5511987650102', 'wamid.nc-change');
    const after = await conversation(id);
    expect(after.status).toBe('resolved');
    expect(after.waiting).toBeFalsy();
    expect((await find('+5511987650102')).openConversationId).toBeUndefined();
    // Kept and shown, on the conversation it happened beside.
    const notice = (await timeline(customer.id)).find((i) => i.providerMessageId === 'wamid.nc-change');
    expect(notice).toMatchObject({ type: 'event', event: 'identity_changed', conversationId: id });

    // Their tap on the survey, from the new number: the score, no new message for an agent.
    await clock.whatsapp({
      from: '5511987650102',
      id: 'wamid.nc-tap',
      extra: {
        type: 'interactive',
        text: undefined,
        interactive: { type: 'button_reply', button_reply: survey?.choices?.[0] },
      },
    });
    const answers = (await timeline(customer.id)).filter((i) => i.event === 'csat');
    expect(answers).toEqual([
      expect.objectContaining({ conversationId: id, data: expect.objectContaining({ score: 5 }) }),
    ]);
    expect((await conversation(id)).status).toBe('resolved');
    expect((await find('+5511987650102')).openConversationId).toBeUndefined();
  });

  it('opens no empty conversation when the notice comes after the reopen window', async () => {
    await clock.whatsapp({ from: '5511987650201', id: 'wamid.nc-2', text: 'Oi, quero saber do meu pedido' });
    const customer = await find('+5511987650201');
    const id = await resolveAnswered(customer, { csat: false });
    await advance(73 * HOUR);
    await numberChange('5511987650201', '5511987650202', 'wamid.nc-change-2');
    const after = await find('+5511987650202');
    expect(after.id).toBe(customer.id);
    expect(after.openConversationId).toBeUndefined();
    const open = await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200');
    expect(open.items.filter((c) => c.customerId === customer.id)).toEqual([]);
    expect((await conversation(id)).status).toBe('resolved');
    // Replies (a template now: the 24-hour window is closed) go to the new number at once.
    const profile = await clock.runtime.store.customers.getCustomer(customer.id);
    expect(profile?.whatsappAddress).toBe('+5511987650202');
  });

  it('from someone never seen: no customer, no conversation, nothing counted; the notice kept aside once', async () => {
    const [oldNumber, newNumber] = ['5511987650301', '5511987650302'];
    const before = await readTable(clock.runtime.dynamoEndpoint);
    const [sent, timers] = [clock.runtime.outbox.entries().length, clock.runtime.timerStore.size];
    await numberChange(oldNumber, newNumber, 'wamid.nc-change-3');
    await numberChange(oldNumber, newNumber, 'wamid.nc-change-3'); // the provider's retry
    // Nothing but the notice itself, kept once apart from every timeline: no customer, identity,
    // profile, conversation, inbox entry, counter or live event; nobody woken, nothing sent, no timer.
    const changed = changedItems(before, await readTable(clock.runtime.dynamoEndpoint));
    expect(changed.map((item) => item.entity)).toEqual(['provider_event']);
    expect(String(changed[0]?.envelope)).toContain('wamid.nc-change-3');
    expect(clock.runtime.outbox.entries()).toHaveLength(sent);
    expect(clock.runtime.timerStore.size).toBe(timers);
    expect(clock.runtime.deadLetter.messages()).toEqual([]);

    // When they write from the new number, they are a customer of it (the old one nobody's), as anyone new.
    await clock.whatsapp({ from: newNumber, id: 'wamid.nc-3', text: 'Oi, mudei de número' });
    const customer = await find(`+${newNumber}`);
    expect(customer.identities).toEqual([{ kind: 'phone', value: `+${newNumber}` }]);
    expect(customer.openConversationId).toBeDefined();
    const identity = { kind: 'phone' as const, value: `+${oldNumber}` };
    expect(
      await clock.runtime.store.customers.findCustomerId(identity, { consistent: true }),
    ).toBeUndefined();
  });
});
