import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('first-response-token');
const QUESTION = 'How long does shipping take?';

type Figures = { firstResponseMs: { mean: number | null; conversations: number }; routed: number };

/**
 * The first response of a conversation the AI answers first is counted as an agent's is, owed by its
 * mark and added under a claim (`ai-first-response-crash.test.ts`: a crash between the two loses
 * nothing), then the decision is counted: GET /api/metrics gives the same figures as when the decision's
 * write counted it (before 2026-12-07), and an agent's first response adds up with it.
 */
describe("local runtime: the AI's first response counted as it is owed, then its decision", () => {
  const time = new ManualTimers(Date.parse('2026-03-03T10:00:00.000Z'));
  let runtime: LocalRuntime;
  let writes: RecordedCall[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-fr:${TOKEN}` },
      routing: true,
      manualTime: time,
      dynamoClient: (c) => {
        writes = recordCalls(c, [], { writesOnly: true });
        return c;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const ask = async (phone: string, id: string, text: string, waitedMs: number) => {
    const at = new Date(time.now() - waitedMs).toISOString();
    const body = whatsappText({ from: phone, name: 'Noor', messages: [{ id, at, text }] });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as T;
  };
  const metrics = async () => (await api<{ overall: Figures }>('/api/metrics')).overall;
  const timelineOf = async (phone: string) => {
    const id = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    return (await api<{ items: TimelineItem[] }>(`/api/customers/${id}/timeline`)).items;
  };
  const waitOf = (items: TimelineItem[]) => {
    const question = items.find((i) => i.direction === 'inbound');
    const reply = items.find((i) => i.direction === 'outbound');
    if (!question || !reply) throw new Error('no question or no reply');
    return Date.parse(reply.at) - Date.parse(question.at);
  };

  it("counts a new conversation's AI first response under its claim, then the decision", async () => {
    const before = await metrics();
    writes.length = 0;
    await ask('447700900411', 'wamid.FR1', QUESTION, 4_000);
    const items = await timelineOf('447700900411');
    expect(items.find((i) => i.direction === 'outbound')?.data?.author).toEqual({
      kind: 'ai',
      id: 'responder',
    });
    // On the day's counters: the first response's add under its claim, the claim's removal, the decision.
    expect(writes.filter((w) => w.pk.startsWith('METRICS#')).map((w) => w.command)).toEqual([
      'UpdateItem',
      'UpdateItem',
      'UpdateItem',
    ]);
    const after = await metrics();
    const wait = waitOf(items);
    expect(wait).toBeGreaterThanOrEqual(4_000);
    expect(after.routed).toBe(before.routed + 1);
    expect(after.firstResponseMs.conversations).toBe(before.firstResponseMs.conversations + 1);
    expect(after.firstResponseMs.mean).toBe(wait);
  });

  it('counts no first response again on the next AI answer, and adds up with an agent-answered one', async () => {
    await ask('447700900411', 'wamid.FR2', 'What are your opening hours?', 1_000);
    const afterSecond = await metrics();
    expect(afterSecond.firstResponseMs.conversations).toBe(1);
    // A conversation the AI hands off: its first response is the agent's, counted by its own write.
    await ask('447700900412', 'wamid.FR3', 'I want to speak to a person, please.', 2_000);
    const items = await timelineOf('447700900412');
    const conversationId = items.find((i) => i.direction === 'inbound')?.conversationId;
    time.advance(6_000);
    writes.length = 0;
    await api(`/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      body: JSON.stringify({ text: 'Hello, Ana here.', channel: 'whatsapp' }),
    });
    await runtime.idle();
    // The add under its claim (a retry after it adds nothing), then the claim off the day item.
    expect(writes.filter((w) => w.pk.startsWith('METRICS#')).map((w) => w.command)).toEqual([
      'UpdateItem',
      'UpdateItem',
    ]);
    const figures = await metrics();
    const byAi = waitOf(await timelineOf('447700900411'));
    const byAgent = waitOf(await timelineOf('447700900412'));
    expect(figures.firstResponseMs.conversations).toBe(2);
    expect(figures.firstResponseMs.mean).toBe((byAi + byAgent) / 2);
  });
});
