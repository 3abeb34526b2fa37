import { isolatedDate } from '#shared/domain/bidi.js';
import { ApiError, NoAnswerError, type Suggestion, unanswered } from './api.js';

const CHANNEL_NAMES: Record<string, string> = {
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  voice: 'Voice',
  email: 'Email',
  messenger: 'Messenger',
  instagram: 'Instagram',
  webchat: 'Web chat',
};

/** The channels the inbox filter offers, in its order. */
export const CHANNELS = Object.keys(CHANNEL_NAMES);

const IDENTITY_NAMES: Record<string, string> = {
  phone: 'Phone',
  email: 'Email',
  whatsapp: 'WhatsApp id',
  messenger: 'Messenger',
  instagram: 'Instagram',
  webchat_user: 'Web chat user',
  webchat_visitor: 'Web chat visitor',
};

/** An identity kind in words (`webchat_visitor` is "Web chat visitor"). */
export const identityName = (kind: string): string => IDENTITY_NAMES[kind] ?? kind.replaceAll('_', ' ');

/** A channel's display name. */
export const channelName = (channel: string | undefined): string =>
  channel ? (CHANNEL_NAMES[channel] ?? channel) : 'unknown channel';

/** Who Threadline itself acts as (the AI, timers, rules, routing, a merge, surveys, delivery reports). */
const SYSTEM_AUTHORS = new Set(['responder', 'clock', 'automation', 'routing', 'merge', 'csat', 'delivery']);

/** The agent an event's data names as its author (`by`), or undefined when Threadline itself acted. */
export const agentBy = (d: Record<string, unknown>): string | undefined =>
  typeof d.by === 'string' && !SYSTEM_AUTHORS.has(d.by) ? d.by : undefined;

/** "5 min", "3 h", "2 d": how long ago `at` was. */
export function since(at: string | undefined, now = Date.now()): string {
  if (!at) return '';
  const s = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/**
 * A time of day (and the date when not today), in the agent's locale; an Arabic locale's isolated in
 * the English line around it (see isolatedDate).
 */
export function clock(at: string): string {
  const d = new Date(at);
  const today = new Date().toDateString() === d.toDateString();
  const text = today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  return isolatedDate(text);
}

const REASONS: Record<string, string> = {
  whatsapp_window_closed: 'the 24-hour window is closed: only an approved template may go out',
  messaging_window_closed: 'the customer last wrote more than 7 days ago: no reply until they write again',
  sms_opted_out: 'the customer texted STOP: no SMS until they text START',
  whatsapp_opted_out: 'the customer opted out on WhatsApp: only a reply after they write again',
  email_suppressed: 'the address is suppressed (bounce or complaint)',
  no_address: 'no address on this channel',
  webchat_not_available:
    'the web chat is a visitor joined on an email they typed, who did not write in this conversation',
};

/** A failed call in words: a network failure (fetch's TypeError) says so plainly, else the API's message. */
export const failureText = (error: unknown): string =>
  error instanceof NoAnswerError
    ? 'Threadline did not answer in time. Check the connection and try again.'
    : error instanceof TypeError || !(error instanceof Error)
      ? 'Threadline could not be reached. Check the connection and try again.'
      : error.message;

/** Why a reply was refused or failed, by the API's error code, in words an agent acts on. */
const NOT_SENT: Record<string, string> = {
  ...REASONS,
  whatsapp_window_closed:
    'the WhatsApp 24-hour window has closed: only an approved template may go out now (the template form above)',
  conversation_not_open: 'the conversation is no longer open',
  no_channel: 'the customer has never written to us: pick a channel',
};

const SEND_AGAIN = 'Send it again as it is: it goes only once.';

/** Why no answer of Threadline's came, in words. */
const NO_WORD_YET = (error: unknown): string =>
  error instanceof NoAnswerError
    ? 'Threadline did not answer in time'
    : error instanceof ApiError
      ? `Threadline's answer was lost on the way (${error.status} ${error.message})`
      : 'Threadline could not be reached';

/**
 * The text of a send that did not go (or may have gone): the API's refusal in words (not its developer
 * message); no answer of Threadline's (the network, the timeout, a gateway's 5xx) as one that may have
 * gone (the browser's own "Failed to fetch", or "Not sent: Gateway Timeout", tells an agent nothing true).
 */
export function notSentText(error: unknown): string {
  // No answer of Threadline's came: it may have gone. Sent again as it is, it goes once (the key is kept for the tab).
  if (unanswered(error)) return `${NO_WORD_YET(error)}, so it may or may not have gone. ${SEND_AGAIN}`;
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'string' ? NOT_SENT[code] : undefined;
  return `Not sent: ${known ?? (error as Error).message}`;
}

/** Why a channel cannot be used, in words. */
export const reasonText = (reason: string | undefined): string =>
  reason ? (REASONS[reason] ?? reason.replaceAll('_', ' ')) : '';

/** The response targets' names as an agent says them. */
const METRICS: Record<string, string> = {
  firstResponseDue: 'first response',
  nextResponseDue: 'reply',
  resolutionDue: 'resolution',
};

/** The earliest pending SLA deadline of a conversation, if any: its time and the target's name. */
export function nextDeadline(sla: unknown): { at: string; metric: string } | undefined {
  if (!sla || typeof sla !== 'object') return undefined;
  const s = sla as Record<string, unknown>;
  const dues = Object.keys(METRICS)
    .flatMap((k) => (typeof s[k] === 'string' ? [{ at: s[k] as string, metric: METRICS[k] as string }] : []))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return dues[0];
}

/**
 * A customer's open conversation once conversation `id` is known open or not (a Reopen's or Resolve's
 * answer, before the profile is read again): a customer has one open conversation at most.
 */
export const openAfter = (openId: string | undefined, id: string, open: boolean): string | undefined =>
  open ? id : openId === id ? undefined : openId;

/** Why a piece of evidence links the two customers, in words. */
export function evidenceReason(e: Suggestion['evidence'][number]): string {
  if (e.reason === 'mentioned') return 'written in a message';
  if (e.reason === 'typed_in_chat') return 'typed in the anonymous web chat, unverified';
  if (e.reason === 'same_thread')
    return `replied in the thread of conversation ${e.conversationId ?? ''}`.trim();
  return 'same payload';
}
