import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type ClockRuntime, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { SECRETS } from '../support/runtime.js';
import { twilioPoster, twilioTexter } from '../support/webhooks.js';

const MIN = 60_000;
const TOKEN = agentToken('sms-stop-waiting-ana');
const ACCOUNT = 'AC00000000000000000000000000000931';
const BUSINESS = '+15005550006';
const WAITING_NOTE = 'opted out of SMS (STOP) while waiting for an answer';
const OPTED_OUT_NOTE = 'The customer opted out of SMS (STOP): no channel can take a reply.';

type Counts = { met: number; missed: number };
type SlaFigures = Partial<Record<'firstResponse' | 'nextResponse' | 'resolution', Counts>>;

/** Ten-minute response targets, and auto-resolve after an hour of silence. */
const policyFile = (): string =>
  slaPolicyFile({}, (policy) => {
    policy.autoResolve = { after: 'PT1H' };
  });

/** The texter, the WhatsApp writer and the reads of one clock runtime. */
function steps(rt: ClockRuntime) {
  const api = agentCaller(() => rt.runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(SECRETS.twilio, () => rt.idle());
  const text = twilioTexter(post, () => rt.runtime.url, { account: ACCOUNT, business: BUSINESS });
  const conversation = async (phone: string) => {
    const customer = await find(phone);
    return api<Conversation>('GET', `/api/conversations/${customer.openConversationId}`);
  };
  const notes = async (customer: Customer) =>
    (await timeline(customer.id))
      .filter((item: TimelineItem) => item.type === 'note')
      .map((n) => n.text ?? '');
  const figures = async () =>
    (await api<{ overall: { sla: SlaFigures } }>('GET', '/api/metrics')).overall.sla;
  return { find, text, conversation, notes, figures };
}

/**
 * A STOP texted while the customer's question waits for an answer: when no other channel can take a
 * reply, the wait ends with a note saying why, its response target stops with no breach counted, and
 * the silence auto-resolve counts from the STOP, as after an answer; a STOP sent again changes nothing.
 * A customer who also wrote on WhatsApp can still be answered there: the wait goes on.
 */
describe('local runtime: STOP while a question waits (no routing: the question waits)', () => {
  const rt = useClockRuntime({
    metaSecret: 'sms-stop-waiting-meta',
    agent: { token: TOKEN, admin: true },
    policyFile: policyFile(),
    env: { AGENT_TOKENS: `agent-ana:${TOKEN}:admin` },
  });

  it('ends the wait with a note, counts no breach, is idempotent, and auto-resolves after the silence', async () => {
    const { find, text, conversation, notes, figures } = steps(rt);
    const phone = '+14155550931';
    await text(phone, 'SMqa00000000000000000000000000931', 'Where is my parcel?');
    expect((await conversation(phone)).waitingSince).toBeDefined();
    await rt.advance(2 * MIN);
    await text(phone, 'SMqa00000000000000000000000000932', 'STOP');

    const ended = await conversation(phone);
    expect(ended.waitingSince).toBeUndefined();
    expect(ended.sla?.firstResponseDue).toBeUndefined();
    expect(ended.status).toBe('open');
    const customer = await find(phone);
    expect((await notes(customer)).filter((n) => n.includes(WAITING_NOTE))).toHaveLength(1);

    // The STOP redelivered (Twilio retries): one note still, and the wait stays ended.
    await text(phone, 'SMqa00000000000000000000000000932', 'STOP');
    expect((await notes(customer)).filter((n) => n.includes(WAITING_NOTE))).toHaveLength(1);

    // The first-response deadline passes: nobody could answer, so no breach.
    await rt.advance(15 * MIN);
    expect((await figures()).firstResponse?.missed ?? 0).toBe(0);
    expect((await conversation(phone)).sla?.breaches ?? []).toEqual([]);

    // An hour of silence from the STOP: resolved, as an answered conversation is.
    await rt.advance(60 * MIN);
    const resolved = await rt.api<Conversation>('GET', `/api/conversations/${ended.id}`);
    expect(resolved.status).toBe('resolved');
  });

  it('keeps the wait when the customer also wrote on WhatsApp (a reply can reach them there)', async () => {
    const { text, conversation, notes, find } = steps(rt);
    const phone = '+14155550932';
    await rt.whatsapp({ from: phone.slice(1), id: 'wamid.stop-waiting-1', text: 'Hello' });
    await text(phone, 'SMqa00000000000000000000000000941', 'Where is my parcel?');
    const waiting = (await conversation(phone)).waitingSince;
    expect(waiting).toBeDefined();
    await rt.advance(MIN);
    await text(phone, 'SMqa00000000000000000000000000942', 'STOP');
    expect((await conversation(phone)).waitingSince).toBe(waiting);
    expect((await notes(await find(phone))).some((n) => n.includes(WAITING_NOTE))).toBe(false);
  });
});

/**
 * A question from a number that opted out before asking gets a note and no wait (routing finds no
 * channel for a reply); the silence auto-resolve counts from it, so it does not stay open for ever.
 */
describe('local runtime: a question from an opted-out number (routing on)', () => {
  const rt = useClockRuntime({
    metaSecret: 'sms-stop-question-meta',
    agent: { token: TOKEN, admin: true },
    policyFile: policyFile(),
    routing: true,
    env: { AGENT_TOKENS: `agent-ana:${TOKEN}:admin` },
  });

  it('auto-resolves after the silence, as an answered conversation does', async () => {
    const { find, text, conversation, notes } = steps(rt);
    const phone = '+14155550933';
    await text(phone, 'SMqa00000000000000000000000000951', 'STOP');
    await text(phone, 'SMqa00000000000000000000000000952', 'How long does shipping take?');
    const held = await conversation(phone);
    expect(held.waitingSince).toBeUndefined();
    expect((await notes(await find(phone))).some((n) => n.includes(OPTED_OUT_NOTE))).toBe(true);
    await rt.advance(59 * MIN);
    expect((await rt.api<Conversation>('GET', `/api/conversations/${held.id}`)).status).toBe('open');
    await rt.advance(2 * MIN);
    expect((await rt.api<Conversation>('GET', `/api/conversations/${held.id}`)).status).toBe('resolved');
  });
});
