import { authorKind, type TimelineItem, withChannelSwitches } from './timeline.js';

/** The figures of GET /api/metrics, overall and per customer. */
export interface Metrics {
  /** Inbound messages and voicemails routed. */
  routed: number;
  /** Share of routed messages the AI answered itself (0..1). */
  aiResolutionRate: number | null;
  /** Why messages went to a person, by routing reason. */
  handoffReasons: Record<string, number>;
  /** Median and mean time from a conversation's first inbound message to its first reply (ms). */
  firstResponseMs: { median: number | null; mean: number | null; conversations: number };
  /** Share of inbound messages that came on another channel than the customer's previous one (0..1). */
  channelSwitchRate: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** A customer's metrics, from their timeline (oldest first). */
export function customerMetrics(timeline: readonly TimelineItem[]): Metrics {
  const decisions = timeline.filter((i) => i.event === 'routed');
  const handoffReasons: Record<string, number> = {};
  let answeredByAi = 0;
  for (const d of decisions) {
    const data = d.data ?? {};
    if (data.target === 'human')
      handoffReasons[String(data.reason)] = (handoffReasons[String(data.reason)] ?? 0) + 1;
  }
  for (const i of timeline) {
    if (i.type === 'message' && i.direction === 'outbound' && authorKind(i) === 'ai') answeredByAi += 1;
  }
  // First reply after the first inbound message, per conversation.
  const first = new Map<string, { inbound?: string; reply?: string }>();
  for (const i of timeline) {
    if (i.type !== 'message' || !i.conversationId) continue;
    const entry = first.get(i.conversationId) ?? {};
    if (i.direction === 'inbound') entry.inbound ??= i.at;
    else if (entry.inbound && !entry.reply) entry.reply = i.at;
    first.set(i.conversationId, entry);
  }
  const times = [...first.values()]
    .filter((e) => e.inbound && e.reply)
    .map((e) => Date.parse(e.reply as string) - Date.parse(e.inbound as string))
    .sort((a, b) => a - b);
  const inbound = timeline.filter((i) => i.type === 'message' && i.direction === 'inbound').length;
  const switches = withChannelSwitches(timeline.filter((i) => i.event !== 'channel_switch')).items.filter(
    (i) => i.event === 'channel_switch',
  ).length;
  return {
    routed: decisions.length,
    aiResolutionRate: ratio(answeredByAi, decisions.length),
    handoffReasons,
    firstResponseMs: {
      median: times.length ? (times[Math.floor((times.length - 1) / 2)] ?? null) : null,
      mean: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null,
      conversations: times.length,
    },
    channelSwitchRate: ratio(switches, inbound),
  };
}
