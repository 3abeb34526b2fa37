import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('same-second-token');

/**
 * WhatsApp times a message to the second: a customer's second message can share its time with the
 * first, and so precede the first one's answer by time. Each must get one answer, to itself.
 */
describe('local runtime: messages of the same second each get their own answer', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T10:00:00.000Z'));
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-ss:${TOKEN}` },
      routing: true,
      manualTime: time,
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  /** Posts a WhatsApp message now: its timestamp is the second it falls in. */
  const say = async (phone: string, id: string, text: string) => {
    const at = new Date(time.now()).toISOString();
    const body = whatsappText({ from: phone, name: 'Noor', messages: [{ id, at, text }] });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const timelineOf = async (phone: string) => {
    const id = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    const res = await fetch(`${runtime.url}/api/customers/${id}/timeline`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { items: TimelineItem[] }).items;
  };
  /** The AI's answers on the timeline, by the message each answers. */
  const answersOf = (items: TimelineItem[]) =>
    items
      .filter((i) => i.direction === 'outbound')
      .map((i) => ({ answers: i.id.replace(/^reply:ai:whatsapp:/, ''), text: i.text ?? '' }));

  const conversation = async (phone: string, gapMs: number) => {
    await say(phone, `wamid.${phone}.1`, 'How long does shipping take?');
    time.advance(gapMs);
    await say(phone, `wamid.${phone}.2`, 'Do you accept PayPal?');
    const items = await timelineOf(phone);
    const answers = answersOf(items);
    expect(answers.map((a) => a.answers)).toEqual([`wamid.${phone}.1`, `wamid.${phone}.2`]);
    const [first, second] = answers.map((a) => a.text);
    expect(first).toMatch(/working days/);
    expect(second).toMatch(/PayPal/);
    // The second answer is to the second question alone: shipping is not answered again.
    expect(second).not.toMatch(/working days/);
    expect(items.filter((i) => i.id.startsWith('note:handoff:'))).toEqual([]);
  };

  it('answers the second message alone when its second is that of the first answer', async () => {
    // Both messages and the first answer at 10:00:00: the answer sorts after both by time.
    await conversation('447700900511', 0);
  });

  it('answers the second message alone when the first answer is timed after it', async () => {
    // The first answer at 10:00:01.300, the second message at 10:00:01.600 timed 10:00:01.
    time.advance(1_300);
    await conversation('447700900512', 300);
  });

  it('answers a message of a later second alone, as before', async () => {
    time.advance(1_000);
    await conversation('447700900513', 1_100);
  });
});
