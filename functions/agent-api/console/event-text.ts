import type { TimelineItem } from './api.js';
import { failureText } from './failure-text.js';
import { agentBy, clock, identityName, reasonText } from './format.js';

const TARGETS: Record<string, string> = {
  firstResponse: 'First response',
  nextResponse: 'Reply',
  resolution: 'Resolution',
};

/** A response target's warning or breach: which target, and when it is (was) due. */
export function slaText(item: TimelineItem, d: Record<string, unknown>): string {
  const target = TARGETS[String(d.metric)] ?? 'Response';
  const due = typeof d.due === 'string' ? clock(d.due) : '';
  if (item.event === 'sla_breached') return `${target} target missed${due ? ` (it was due ${due})` : ''}`;
  return `${target} target due soon${due ? ` (at ${due})` : ''}`;
}

/** An automation's firing: the rule, and what each action did (a skipped one says why). */
export function automationText(d: Record<string, unknown>): string {
  const actions = Array.isArray(d.actions) ? (d.actions as Array<Record<string, unknown>>) : [];
  const did = actions.map((a) => {
    const why = a.outcome === 'skipped' && a.reason ? ` (${String(a.reason).replaceAll('_', ' ')})` : '';
    return `${String(a.type)} ${a.outcome === 'skipped' ? 'skipped' : 'done'}${why}`;
  });
  return `Automation ${String(d.rule ?? '')}${did.length ? `: ${did.join(', ')}` : ''}`;
}

/** Why a survey did not go out (`csat_skipped`'s reason), where its own `detail` does not say it. */
const SURVEY_SKIPS: Record<string, string> = {
  unanswered: 'nobody answered the customer',
  ai_only: 'only the AI answered, and surveys after the AI alone are off (csat.aiOnly)',
  no_channel: 'the conversation has no channel',
  no_public_url: 'PUBLIC_BASE_URL is not set: the survey links need it',
  whatsapp_template_missing:
    'the WhatsApp 24-hour window had closed and no survey template is set (csat.whatsappTemplate)',
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * A survey's answer: its score out of 5 and the customer's comment, quoted (the comment is text: the
 * view never reads it as markup). The event is stored at the survey's time; `answerPlaced` shows it
 * where it was answered.
 */
function csatText(d: Record<string, unknown>): string {
  const score = typeof d.score === 'number' ? `Rated ${d.score}/5` : 'Survey answered';
  const comment = text(d.comment);
  return comment ? `${score}: “${comment}”` : score;
}

/** The events with no view of their own: surveys, merges, a provider's word on an address, the web chat's email. */
const OTHER_EVENTS: Record<string, (d: Record<string, unknown>, item: TimelineItem) => string> = {
  csat: csatText,
  csat_skipped: (d) =>
    `Survey skipped: ${text(d.detail) ?? SURVEY_SKIPS[String(d.reason)] ?? reasonText(text(d.reason) ?? 'unknown reason')}`,
  merge: (d) => `Another customer's profile was merged into this one${by(d)}`,
  unmerge: (d) => `A merged customer's profile was split off again${by(d)}`,
  identity_changed: (d) => {
    const next = d.newIdentity as { kind?: unknown; value?: unknown } | undefined;
    const kind = typeof next?.kind === 'string' ? `${identityName(next.kind)} ` : '';
    return `The customer's contact changed${typeof next?.value === 'string' ? `: now ${kind}${next.value}` : ''}`;
  },
  provider_error: (_d, item) =>
    item.errors?.[0] ? `Provider error: ${failureText(item.errors[0])}` : 'The provider reported an error',
  suppressed: (_d, item) =>
    `Address blocked: it bounced or the customer complained, so nothing more goes to it${item.errors?.[0] ? ` (${failureText(item.errors[0])})` : ''}`,
  webchat_email_fallback: (d) =>
    typeof d.refused === 'string'
      ? `Unread chat replies not emailed: ${reasonText(d.refused)}`
      : 'Unread chat replies emailed to the customer',
};

const by = (d: Record<string, unknown>): string => (agentBy(d) ? ` by ${agentBy(d)}` : '');

/** An event `eventText` has no case of, in words; an unknown kind as its name. */
export function otherEventText(item: TimelineItem): string {
  const words = item.event ? OTHER_EVENTS[item.event] : undefined;
  if (words) return words(item.data ?? {}, item);
  return (item.event ?? 'event').replaceAll('_', ' ');
}

/** When an event is shown as having happened: a survey's answer when it was answered, else its time. */
export function shownAt(item: Pick<TimelineItem, 'event' | 'at' | 'data'>): string {
  const answered = item.event === 'csat' ? item.data?.answeredAt : undefined;
  return typeof answered === 'string' && !Number.isNaN(Date.parse(answered)) ? answered : item.at;
}

/**
 * The timeline with each survey answer (`csat`, stored at the survey's time: a fixed key, so a
 * redelivered answer writes nothing) moved to where it was answered, after the items before its answer.
 */
export function answerPlaced<T extends Pick<TimelineItem, 'type' | 'event' | 'at' | 'data'>>(
  items: readonly T[],
): T[] {
  const answers = items.filter((i) => i.type === 'event' && i.event === 'csat' && shownAt(i) !== i.at);
  if (!answers.length) return [...items];
  const rest = items.filter((i) => !answers.includes(i));
  for (const answer of answers) {
    const at = Date.parse(shownAt(answer));
    const after = rest.findIndex((i) => Date.parse(i.at) > at);
    rest.splice(after < 0 ? rest.length : after, 0, answer);
  }
  return rest;
}
