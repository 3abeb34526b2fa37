import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_TIME_GRANULARITY_MS } from '#shared/domain/profile-touch.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('profile-reads-token');

/**
 * The profile's reads on the message path, routing on (a WhatsApp question the AI answers): a new
 * customer's profile is read by nobody (the claim just made its id; routing takes the profile its first
 * write answered), and a returning customer's once (the resolver's read, handed to routing, or the
 * write's answer when the message moved it). Before: a first message read it twice (the resolver's
 * look at a fresh id, and routing's read of what the resolver had just written), 1 read unit and 2 calls.
 */
describe('local runtime: the profile read at most once a message', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T10:00:00.000Z'));
  let runtime: LocalRuntime;
  let calls: RecordedCall[] = [];
  let sequence = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-pr:${TOKEN}` },
      routing: true,
      manualTime: time,
      dynamoClient: (c) => {
        calls = recordCalls(c, []);
        return c;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  /** The profile reads of one WhatsApp question (the message, its routing and the AI's answer). */
  const ask = async (phone: string, text: string) => {
    await runtime.idle();
    calls.length = 0;
    const id = `wamid.PR${++sequence}`;
    const body = whatsappText({
      from: phone,
      name: 'Noor',
      messages: [{ id, at: new Date(time.now()).toISOString(), text }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    return calls.filter((c) => isRead(c) && c.sk === 'PROFILE');
  };
  const timelineOf = async (phone: string) => {
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    const res = await fetch(`${runtime.url}/api/customers/${customerId}/timeline`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { items: TimelineItem[] }).items;
  };

  it("reads no profile for a new customer's first message, and the AI's answer reaches them", async () => {
    expect(await ask('15550130001', 'How long does shipping take?')).toEqual([]);
    const answer = (await timelineOf('15550130001')).find((i) => i.direction === 'outbound');
    expect(answer?.data?.author).toEqual({ kind: 'ai', id: 'responder' });
  });

  it('reads a returning customer’s profile once, whether the message writes it or not', async () => {
    await ask('15550130002', 'How long does shipping take?');
    time.advance(60_000);
    expect(await ask('15550130002', 'Can I change my delivery address?')).toHaveLength(1);
    // Past the granularity the message writes the profile: routing takes the write's answer.
    time.advance(PROFILE_TIME_GRANULARITY_MS + 60_000);
    expect(await ask('15550130002', 'Do you accept PayPal?')).toHaveLength(1);
    const items = await timelineOf('15550130002');
    const answers = items.filter((i) => i.direction === 'outbound');
    expect(answers).toHaveLength(3);
  });
});
