import { describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import { TwilioStandIn } from '../support/twilio-stand-in.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const MIN = 60_000;
const TOKEN = agentToken('sms-refused-answer-ana');
const ACCOUNT = 'AC00000000000000000000000000000961';
const BUSINESS = '+15005550006';
const QUESTION = 'How long does shipping take?';
const REFUSED_NOTE = "Twilio refused the AI's answer (error 21610";

type Counts = { met: number; missed: number };

/**
 * The AI's answer to an SMS question, refused by Twilio with 21610 (the number opted out): as a STOP
 * while the question waits. SMS the customer's only channel: the opt-out recorded, a note, no wait,
 * no hand-off, no breach, and the silence auto-resolve from the answer. Reachable on WhatsApp too: a
 * person is handed the conversation, the note saying SMS was refused.
 */
describe('local runtime: the AI answer Twilio refuses for a STOP (21610)', () => {
  const twilio = new TwilioStandIn();
  const rt = useClockRuntime({
    metaSecret: 'sms-refused-answer-meta',
    agent: { token: TOKEN, admin: true },
    policyFile: slaPolicyFile({}, (policy) => {
      policy.autoResolve = { after: 'PT1H' };
    }),
    routing: true,
    senders: { sms: twilio, whatsapp: twilio },
  });
  const api = agentCaller(() => rt.runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const text = twilioTexter(
    twilioPoster(SECRETS.twilio, () => rt.idle()),
    () => rt.runtime.url,
    { account: ACCOUNT, business: BUSINESS },
  );
  const conversationOf = async (phone: string) => {
    const customer = await find(phone);
    return api<Conversation>('GET', `/api/conversations/${customer.openConversationId}`);
  };
  const itemsOf = async (phone: string) => timeline((await find(phone)).id);
  const notes = (items: TimelineItem[]) => items.filter((i) => i.type === 'note').map((n) => n.text ?? '');

  it('ends the wait with a note and no hand-off when SMS was the only channel', async () => {
    const phone = '+14155550961';
    twilio.unsubscribed.add(phone);
    await text(phone, 'SMqa00000000000000000000000000961', QUESTION);

    const conversation = await conversationOf(phone);
    expect(conversation.status).toBe('open');
    expect(conversation.waitingSince).toBeUndefined();
    expect(conversation.queue).toBeUndefined();
    expect(conversation.assignee).toBeUndefined();
    const items = await itemsOf(phone);
    expect(notes(items).filter((n) => n.includes(REFUSED_NOTE))).toHaveLength(1);
    expect(notes(items).some((n) => n.startsWith('Hand-off'))).toBe(false);
    expect(items.filter((i) => i.type === 'event' && i.event === 'assigned')).toEqual([]);
    const customer = await find(phone);
    const channels = await api<ChannelOption[]>('GET', `/api/customers/${customer.id}/channels`);
    expect(channels.find((c) => c.channel === 'sms')).toMatchObject({ reason: 'sms_opted_out' });

    // The first-response deadline passes: nobody could answer, so no breach, and the answer is no first response.
    await rt.advance(15 * MIN);
    const { overall } = await api<{
      overall: { sla: Record<string, Counts>; firstResponseMs: { conversations: number } };
    }>('GET', '/api/metrics');
    expect(overall.sla.firstResponse).toMatchObject({ met: 0, missed: 0 });
    expect(overall.firstResponseMs.conversations).toBe(0);
    expect((await conversationOf(phone)).sla?.breaches ?? []).toEqual([]);

    // An hour of silence from the answer: resolved.
    await rt.advance(60 * MIN);
    expect((await api<Conversation>('GET', `/api/conversations/${conversation.id}`)).status).toBe('resolved');
  });

  it('hands it off, the note saying SMS was refused, when the customer also wrote on WhatsApp', async () => {
    const phone = '+14155550962';
    await rt.whatsapp({ from: phone.slice(1), id: 'wamid.sms-refused-1', text: 'Hello' });
    // Answered and resolved, days ago: the SMS question opens a conversation of its own (no channel
    // switch, no reopen).
    await api('POST', `/api/conversations/${(await conversationOf(phone)).id}/resolve`, {});
    await rt.advance(80 * 60 * MIN);
    twilio.unsubscribed.add(phone);
    await text(phone, 'SMqa00000000000000000000000000962', QUESTION);

    const conversation = await conversationOf(phone);
    expect(conversation.waitingSince).toBeDefined();
    expect(conversation.queue).toBe('general');
    const handOffs = notes(await itemsOf(phone)).filter((n) => n.startsWith('Hand-off (ai_failed)'));
    expect(handOffs).toEqual([expect.stringContaining('SMS refused, the customer opted out (STOP)')]);
  });
});
