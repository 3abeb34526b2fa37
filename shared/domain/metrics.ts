import { knownTimeZone, zoneDay, zoneSpan } from './metrics-zone.js';
import { type RouteReason, RouteReasonSchema } from './routing/decision.js';
import { AI_AUTHOR_ID } from './routing/routable.js';
import type { SlaMetric } from './sla/policy.js';
import { authorKind, type TimelineItem, withChannelSwitches } from './timeline.js';

/** The routing reason a counter or a decision names, if it is one (a damaged item's is not counted). */
export const routeReason = (value: unknown): RouteReason | undefined =>
  RouteReasonSchema.options.find((reason) => reason === value);

/** The figures of GET /api/metrics, overall and per customer. */
export interface Metrics {
  /** Inbound messages and voicemails routed. */
  routed: number;
  /** Share of routed messages the AI answered itself (0..1). */
  aiResolutionRate: number | null;
  /** Why messages went to a person, by routing reason (the document lists the reasons). */
  handoffReasons: Partial<Record<RouteReason, number>>;
  /**
   * Median and mean time from a conversation's first inbound message to its first reply (ms): the AI's
   * answer included, whatever the SLA policy's `aiRepliesCount`.
   */
  firstResponseMs: ResponseTimes;
  /**
   * The same to the first reply a person gave (an agent's, or the business's own app's): what the
   * first-response target measures under `aiRepliesCount: false`.
   */
  firstHumanResponseMs: ResponseTimes;
  /** Share of inbound messages that came on another channel than the customer's previous one (0..1). */
  channelSwitchRate: number | null;
  /** Response targets met and missed (overall figures only). */
  sla?: SlaFigures;
  /** Satisfaction survey answers (overall figures only). */
  csat?: CsatFigures;
}

/** Median and mean of response times (ms; the overall figures have no median), and how many. */
export interface ResponseTimes {
  median: number | null;
  mean: number | null;
  conversations: number;
}

/** Survey answers: how many, the average score (null when none), and how many gave each score 1 to 5. */
export interface CsatScores {
  count: number;
  average: number | null;
  distribution: Record<number, number>;
}

/**
 * The CSAT figures: overall, then by agent (the conversation's assignee at the answer), channel (the
 * survey's), queue, and AI (`ai`: no agent had the conversation; else `human`).
 */
export interface CsatFigures extends CsatScores {
  /** Surveys sent in the range (the day they were due), those skipped by reason, and answers / sent. */
  sent?: number;
  skipped?: Record<string, number>;
  responseRate?: number | null;
  byAgent: Record<string, CsatScores>;
  byChannel: Record<string, CsatScores>;
  byQueue: Record<string, CsatScores>;
  byAi: Record<string, CsatScores>;
}

/**
 * How often one target was met and missed, and the share met (null when none ended); for a response
 * target, also how often a resolve ended it with nobody having answered (`resolvedUnanswered`: in
 * neither `met` nor `missed`, so not in `share`).
 */
export interface TargetFigures {
  met: number;
  missed: number;
  share: number | null;
  resolvedUnanswered?: number;
}

/** Each target's figures: all three, zeros when none ended. */
export type TargetsFigures = Record<SlaMetric, TargetFigures>;

/**
 * The SLA figures: each target overall, then by queue, by channel, by agent (the conversation's
 * assignee then), and by AI (`ai`: met by an AI answer or ended while no agent had it; else `human`).
 */
export interface SlaFigures extends TargetsFigures {
  byQueue: Record<string, TargetsFigures>;
  byChannel: Record<string, TargetsFigures>;
  byAgent: Record<string, TargetsFigures>;
  byAi: Record<string, TargetsFigures>;
}

/** Who reads the figures: an admin reads every agent's, an agent only their own. */
export interface MetricsViewer {
  agentId: string;
  admin: boolean;
}

/** Of a breakdown by agent, the viewer's own line only (none when they have no figures). */
function ownLine<T>(byAgent: Record<string, T>, agentId: string): Record<string, T> {
  const own = Object.hasOwn(byAgent, agentId) ? byAgent[agentId] : undefined;
  return own === undefined ? {} : { [agentId]: own };
}

/**
 * The figures as the viewer may see them (least privilege): an admin everything; an agent the same
 * figures but for the `byAgent` breakdowns of `sla` and `csat`, which keep their own line only, so no
 * agent reads a colleague's targets met or survey scores.
 */
export function metricsFor(metrics: Metrics, viewer: MetricsViewer): Metrics {
  if (viewer.admin) return metrics;
  const { sla, csat } = metrics;
  return {
    ...metrics,
    ...(sla ? { sla: { ...sla, byAgent: ownLine(sla.byAgent, viewer.agentId) } } : {}),
    ...(csat ? { csat: { ...csat, byAgent: ownLine(csat.byAgent, viewer.agentId) } } : {}),
  };
}

/**
 * A range of days (`yyyy-mm-dd`), both included: UTC days, or with `tz` the days of that time zone
 * (an IANA name), the business's.
 */
export interface MetricsRange {
  from: string;
  to: string;
  tz?: string | undefined;
}

/** The most days one metrics read may span. */
export const MAX_METRICS_DAYS = 366;
/** The days the overall figures cover when no range is asked for: the last 30, today included. */
export const DEFAULT_METRICS_DAYS = 30;

const DAY_MS = 86_400_000;

/** The UTC day (`yyyy-mm-dd`) of a time. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** The number of days from `from` to `to`, both included (0 or less when `to` is before `from`). */
export const daysInRange = (range: MetricsRange): number =>
  Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;

/** The first day a range may name: the figures start with the business's use of Threadline, long after. */
export const FIRST_METRICS_DAY = '2000-01-01';

/**
 * The range of a request: `to` defaults to today (UTC, or in `tz`) and a later one is cut to today (no
 * day after it has figures yet), `from` defaults to the 30 days ending at `to`; a `from` after today, a
 * range running backwards or spanning more than 366 days, a day before `FIRST_METRICS_DAY`, or a time
 * zone the runtime does not know, is refused (an error message, or the range); the zone is answered by
 * its current IANA name (`Europe/Berlin` for `europe/berlin`, `Asia/Kolkata` for `Asia/Calcutta`).
 */
export function metricsRange(
  asked: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
  now: Date,
): MetricsRange | { error: string } {
  const tz = asked.tz === undefined ? undefined : knownTimeZone(asked.tz);
  if (asked.tz !== undefined && tz === undefined)
    return { error: `tz: ${asked.tz} is not a time zone (an IANA name, such as Europe/Berlin)` };
  for (const [name, day] of [
    ['from', asked.from],
    ['to', asked.to],
  ] as const) {
    if (day !== undefined && day < FIRST_METRICS_DAY)
      return { error: `${name}: ${day} is before ${FIRST_METRICS_DAY}: no figures then` };
  }
  const today = tz === undefined ? utcDay(now) : zoneDay(now, tz);
  if (asked.from !== undefined && asked.from > today)
    return { error: `from: ${asked.from} is after today (${today}, ${tz ?? 'UTC'}): no figures yet` };
  if (asked.from !== undefined && asked.to !== undefined && asked.from > asked.to)
    return { error: 'from: must not be after to' };
  const to = asked.to === undefined || asked.to > today ? today : asked.to;
  const from = asked.from ?? utcDay(new Date(Date.parse(to) - (DEFAULT_METRICS_DAYS - 1) * DAY_MS));
  if (daysInRange({ from, to }) > MAX_METRICS_DAYS)
    return { error: `from: the range may span at most ${MAX_METRICS_DAYS} days` };
  return tz === undefined ? { from, to } : { from, to, tz };
}

/** The instants a range covers (ISO times): its first moment, and the first moment after it. */
export function metricsSpan(range: MetricsRange): { start: string; end: string } {
  const next = utcDay(new Date(Date.parse(range.to) + DAY_MS));
  if (range.tz === undefined) return { start: `${range.from}T00:00:00.000Z`, end: `${next}T00:00:00.000Z` };
  const { start, end } = zoneSpan(range, range.tz);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * Whether an outbound message on the timeline is an automation's or a survey (author `ai`, not the AI
 * responder): no answer, so neither the AI's answers nor a first response count it.
 */
function automatedMessage(item: TimelineItem): boolean {
  const author = item.data?.author as { kind?: unknown; id?: unknown } | undefined;
  const id = author?.id;
  return (
    item.direction === 'outbound' && author?.kind === 'ai' && typeof id === 'string' && id !== AI_AUTHOR_ID
  );
}

/**
 * Per conversation, the time from the customer's first message to the first reply `counts` takes after
 * it (automations' messages and surveys never), of the replies `inside` the range asked: their median and
 * mean.
 */
function responseTimes(
  timeline: readonly TimelineItem[],
  counts: (reply: TimelineItem) => boolean,
  inside: (at: string) => boolean,
): ResponseTimes {
  const first = new Map<string, { inbound?: string; reply?: string }>();
  for (const i of timeline) {
    if (i.type !== 'message' || !i.conversationId || automatedMessage(i)) continue;
    const entry = first.get(i.conversationId) ?? {};
    if (i.direction === 'inbound') entry.inbound ??= i.at;
    else if (entry.inbound && !entry.reply && counts(i)) entry.reply = i.at;
    first.set(i.conversationId, entry);
  }
  const times = [...first.values()]
    .filter((e) => e.inbound && e.reply && inside(e.reply))
    .map((e) => Date.parse(e.reply as string) - Date.parse(e.inbound as string))
    .sort((a, b) => a - b);
  return {
    median: times.length ? (times[Math.floor((times.length - 1) / 2)] ?? null) : null,
    mean: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null,
    conversations: times.length,
  };
}

/**
 * A customer's metrics, from their timeline (oldest first). With a range of days (UTC, or the range's
 * time zone's), only the items of those days count, and a first response counts when the reply is inside (its message may be before:
 * the timeline given then starts earlier, see `FIRST_RESPONSE_MARGIN_DAYS` in read-metrics.ts).
 */
export function customerMetrics(read: readonly TimelineItem[], range?: MetricsRange): Metrics {
  const span = range && metricsSpan(range);
  const start = span ? Date.parse(span.start) : 0;
  const end = span ? Date.parse(span.end) : 0;
  const inside = (at: string) => !span || (Date.parse(at) >= start && Date.parse(at) < end);
  const timeline = range ? read.filter((i) => inside(i.at)) : read;
  const decisions = timeline.filter((i) => i.event === 'routed');
  const handoffReasons: Metrics['handoffReasons'] = {};
  let answeredByAi = 0;
  for (const d of decisions) {
    const data = d.data ?? {};
    const reason = routeReason(data.reason);
    if (data.target === 'human' && reason) handoffReasons[reason] = (handoffReasons[reason] ?? 0) + 1;
  }
  for (const i of timeline) {
    if (i.type === 'message' && i.direction === 'outbound' && authorKind(i) === 'ai' && !automatedMessage(i))
      answeredByAi += 1;
  }
  const inbound = timeline.filter((i) => i.type === 'message' && i.direction === 'inbound').length;
  const switches = withChannelSwitches(timeline.filter((i) => i.event !== 'channel_switch')).items.filter(
    (i) => i.event === 'channel_switch',
  ).length;
  return {
    routed: decisions.length,
    aiResolutionRate: ratio(answeredByAi, decisions.length),
    handoffReasons,
    firstResponseMs: responseTimes(read, () => true, inside),
    firstHumanResponseMs: responseTimes(read, (reply) => authorKind(reply) === 'agent', inside),
    channelSwitchRate: ratio(switches, inbound),
  };
}
