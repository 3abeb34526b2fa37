import { describe, expect, it } from 'vitest';
import { customerMetrics, type Metrics, metricsFor } from '#shared/domain/metrics.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const base = { customerId: 'cu_1', conversationId: 'cv_1' };
const msg = (
  id: string,
  at: string,
  direction: 'inbound' | 'outbound',
  channel: TimelineItem['channel'],
  author?: string,
) =>
  ({
    ...base,
    id,
    type: 'message',
    at,
    direction,
    channel,
    ...(author ? { data: { author: { kind: author } } } : {}),
  }) as TimelineItem;
const routed = (id: string, at: string, target: string, reason: string) =>
  ({
    ...base,
    id: `route:${id}`,
    type: 'event',
    event: 'routed',
    at,
    data: { target, reason },
  }) as TimelineItem;

describe('customerMetrics', () => {
  it('counts AI answers, hand-off reasons, the first response and channel switches', () => {
    const m = customerMetrics([
      msg('w1', '2025-06-10T09:00:00.000Z', 'inbound', 'whatsapp'),
      routed('w1', '2025-06-10T09:00:00.000Z', 'ai', 'routine'),
      msg('r1', '2025-06-10T09:00:30.000Z', 'outbound', 'whatsapp', 'ai'),
      msg('e1', '2025-06-10T10:00:00.000Z', 'inbound', 'email'),
      routed('e1', '2025-06-10T10:00:00.000Z', 'human', 'asked_for_person'),
    ]);
    expect(m).toEqual({
      routed: 2,
      aiResolutionRate: 0.5,
      handoffReasons: { asked_for_person: 1 },
      firstResponseMs: { median: 30_000, mean: 30_000, conversations: 1 },
      firstHumanResponseMs: { median: null, mean: null, conversations: 0 },
      channelSwitchRate: 0.5,
    });
  });

  it("counts a person's first reply apart, from the customer's first message, after the AI's", () => {
    const m = customerMetrics([
      msg('w1', '2025-06-10T09:00:00.000Z', 'inbound', 'whatsapp'),
      msg('r1', '2025-06-10T09:00:30.000Z', 'outbound', 'whatsapp', 'ai'),
      msg('w2', '2025-06-10T09:01:00.000Z', 'inbound', 'whatsapp'),
      msg('r2', '2025-06-10T09:21:00.000Z', 'outbound', 'whatsapp', 'agent'),
      msg('r3', '2025-06-10T09:22:00.000Z', 'outbound', 'whatsapp', 'agent'),
    ]);
    expect(m.firstResponseMs).toEqual({ median: 30_000, mean: 30_000, conversations: 1 });
    expect(m.firstHumanResponseMs).toEqual({ median: 21 * 60_000, mean: 21 * 60_000, conversations: 1 });
  });

  it("counts an automation's follow-up as neither an AI answer nor the first response", () => {
    const automated = {
      ...msg('f1', '2025-06-10T09:10:00.000Z', 'outbound', 'whatsapp'),
      data: { author: { kind: 'ai', id: 'automation' } },
    } as TimelineItem;
    const m = customerMetrics([
      msg('w1', '2025-06-10T09:00:00.000Z', 'inbound', 'whatsapp'),
      routed('w1', '2025-06-10T09:00:00.000Z', 'human', 'asked_for_person'),
      automated,
      msg('r1', '2025-06-10T09:20:00.000Z', 'outbound', 'whatsapp', 'agent'),
    ]);
    expect(m.aiResolutionRate).toBe(0);
    expect(m.firstResponseMs).toEqual({ median: 20 * 60_000, mean: 20 * 60_000, conversations: 1 });
  });

  it('has no rates before anything was routed', () => {
    expect(customerMetrics([])).toMatchObject({ routed: 0, aiResolutionRate: null, channelSwitchRate: null });
  });
});

describe('metricsFor', () => {
  const none = { met: 0, missed: 0, share: null };
  const line = (met: number) => ({
    firstResponse: { met, missed: 0, share: 1, resolvedUnanswered: 0 },
    nextResponse: { ...none, resolvedUnanswered: 0 },
    resolution: none,
  });
  const scores = { count: 1, average: 5, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 } };
  const figures: Metrics = {
    routed: 2,
    aiResolutionRate: 0.5,
    handoffReasons: {},
    firstResponseMs: { median: null, mean: null, conversations: 0 },
    firstHumanResponseMs: { median: null, mean: null, conversations: 0 },
    channelSwitchRate: null,
    sla: { ...line(3), byQueue: {}, byChannel: {}, byAgent: { a1: line(1), a2: line(2) }, byAi: {} },
    csat: { ...scores, byAgent: { a2: scores }, byChannel: {}, byQueue: {}, byAi: {} },
  };

  it('keeps every line by agent for an admin', () => {
    expect(metricsFor(figures, { agentId: 'a1', admin: true })).toBe(figures);
  });

  it("keeps an agent's own line by agent only, or none when they have no figures", () => {
    const seen = metricsFor(figures, { agentId: 'a1', admin: false });
    expect(seen.sla?.byAgent).toEqual({ a1: line(1) });
    expect(seen.csat?.byAgent).toEqual({});
    expect({ ...seen, sla: figures.sla, csat: figures.csat }).toEqual(figures);
  });

  it('names no other line for an agent id that is an object key of every record', () => {
    expect(metricsFor(figures, { agentId: 'constructor', admin: false }).sla?.byAgent).toEqual({});
  });

  it('leaves figures without a breakdown (one customer) as they are', () => {
    const { sla: _sla, csat: _csat, ...plain } = figures;
    expect(metricsFor(plain, { agentId: 'a1', admin: false })).toEqual(plain);
  });
});
