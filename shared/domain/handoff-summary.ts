/**
 * The note an agent reads on a hand-off: who the customer is, what they asked and on which channel,
 * the voicemails they left, what they asked earlier elsewhere, and what the responder found out.
 */

import { isEmptyRecording } from './asks-nothing.js';
import type { Channel } from './envelope.js';
import {
  type ConversationView,
  channelName,
  channelPhrase,
  historyOf,
  isInboundMessage,
  type ResponderContext,
} from './responder.js';
import { sentTogether } from './routing/conversation-state.js';
import type { Sentiment } from './routing/decision.js';
import { headOf, shortened } from './text-cut.js';
import { byTime, conversationOf, type TimelineItem } from './timeline.js';

/** What the responder found out about the customer's messages, for the agent's summary. */
export interface SummarySignals {
  sentiment?: Sentiment | undefined;
  /** The sentiment library's score, when there is one. */
  sentimentScore?: number | undefined;
  language?: string | undefined;
}

const QUOTE_CHARS = 200;
/** How many of the pending messages the summary quotes (the latest). */
const ASKED_QUOTED = 3;

/** The pending messages the summary quotes as asked. */
const askedOf = (view: ConversationView): TimelineItem[] => view.pending.slice(-ASKED_QUOTED);

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${shortened(flat, QUOTE_CHARS)}"`;
}

/**
 * A message as the summary quotes it: its text, or what it carried instead. An email without text
 * whose whole body is kept (`data.fullText`) is nothing but a quote of earlier mail.
 */
function describeMessage(item: TimelineItem): string {
  if (item.text?.trim()) return quote(item.text);
  if (item.contentType && item.contentType !== 'text') return `(${item.contentType}, no text)`;
  if (item.attachments?.length) return `(${item.attachments.map((a) => a.kind).join(', ')}, no text)`;
  if (item.channel === 'email' && typeof item.data?.fullText === 'string') {
    return '(nothing new: only the mail it quotes)';
  }
  return '(no text)';
}

/** The voicemails left in the conversation since our last message to the customer, oldest first. */
function unansweredVoicemails(view: ConversationView): TimelineItem[] {
  const voicemails: TimelineItem[] = [];
  for (const item of [...view.items].reverse()) {
    if (item.type === 'message' && item.direction === 'outbound') break;
    if (
      item.type === 'event' &&
      item.event === 'call_voicemail' &&
      !isEmptyRecording(item.data?.durationSeconds)
    )
      voicemails.unshift(item);
  }
  return voicemails;
}

/**
 * A voicemail's transcription among `items`, once Twilio has sent it (an item of its own, beside the
 * voicemail, naming the same recording); none before.
 */
export function voicemailTranscription(
  voicemail: TimelineItem,
  items: readonly TimelineItem[],
): string | undefined {
  const url = voicemail.data?.recordingUrl;
  const transcription = items.find(
    (item) => item.event === 'call_transcription' && url !== undefined && item.data?.recordingUrl === url,
  );
  return transcription?.text?.trim() || undefined;
}

/** A voicemail as the summary gives it: its length, and its transcription's text once that has come. */
function describeVoicemail(voicemail: TimelineItem, items: readonly TimelineItem[]): string {
  const seconds = voicemail.data?.durationSeconds;
  const length = typeof seconds === 'number' ? ` (${seconds} s)` : '';
  const transcription = voicemailTranscription(voicemail, items);
  return transcription ? `${length}: ${quote(transcription)}` : `${length}, not transcribed yet.`;
}

/**
 * What the customer asked: on one channel, "Asked on WhatsApp: "…" / "…""; across channels each message
 * with its own ("Asked: by SMS "…" / on WhatsApp "…""), not all under the last one's.
 */
function askedLine(asked: readonly TimelineItem[], channel: Channel | undefined): string {
  if (asked.every((item) => item.channel === channel)) {
    const where = channel ? ` ${channelPhrase(channel)}` : '';
    return `Asked${where}: ${asked.map(describeMessage).join(' / ')}`;
  }
  const each = asked.map((item) =>
    item.channel ? `${channelPhrase(item.channel)} ${describeMessage(item)}` : describeMessage(item),
  );
  return `Asked: ${each.join(' / ')}`;
}

/** Channels in the order the customer first used them: the profile's, then any the timeline adds. */
function channelsUsed(context: ResponderContext): Channel[] {
  const seen = new Set<Channel>(context.customer.channels);
  for (const item of [...context.timeline].sort(byTime)) {
    if (isInboundMessage(item) && item.channel) seen.add(item.channel);
  }
  return [...seen];
}

/**
 * The summary an agent reads on a handoff, built from the timeline: who, which channels, what the
 * customer asked now and earlier on other channels, sentiment and language.
 */
export function buildHandoffSummary(
  context: ResponderContext,
  view: ConversationView,
  signals: SummarySignals = {},
): string {
  const who = context.customer.name?.trim() || 'Customer with no name on file';
  const history = historyOf(view);
  const channels = channelsUsed(context).map(channelName);
  const lines = [`${who} (${history}); channels: ${channels.length ? channels.join(', ') : 'none yet'}.`];

  const asked = askedOf(view);
  const voicemails = unansweredVoicemails(view).slice(-3);
  if (asked.length) {
    lines.push(askedLine(asked, view.channel));
  } else if (!voicemails.length) {
    lines.push('No unanswered message.');
  }
  // A voicemail is an event, no message: without these lines a caller's hand-off read "No unanswered message."
  for (const voicemail of voicemails) {
    lines.push(`Left a voicemail${describeVoicemail(voicemail, view.items)}`);
  }
  const elsewhere = view.earlier.filter((item) => item.channel && item.channel !== view.channel).slice(-2);
  for (const item of elsewhere) {
    if (item.channel) lines.push(`Earlier ${channelPhrase(item.channel)}: ${describeMessage(item)}`);
  }
  const facts: string[] = [];
  if (signals.sentiment) {
    const score = signals.sentimentScore === undefined ? '' : ` (${signals.sentimentScore})`;
    facts.push(`sentiment ${signals.sentiment}${score}`);
  }
  if (signals.language) facts.push(`language ${signals.language}`);
  // An Instagram story reply (`data.story`) leans on the story: its words alone may not say what it asks.
  if (asked.some((item) => item.data?.story !== undefined && item.data?.story !== null))
    facts.push('replying to your Instagram story (open it from the message)');
  if (facts.length) lines.push(`${facts.join('; ')}.`);
  return headOf(lines.join('\n'), 2000);
}

/**
 * The customer's other messages sent together with `item` (`sentTogether`, by the provider's times) that
 * the note does not quote as asked (`askedOf`), oldest first, at most three, from the items routing read
 * (`recent`): a question the AI answered just before a photo sent with it, or one not routed yet when
 * the photo was. So the note on a photo quotes the question, whichever of the two was routed first. A
 * line for the note, or nothing.
 */
export function sentWithLine(
  recent: readonly TimelineItem[],
  view: ConversationView,
  item: TimelineItem,
  conversationId: string,
): string | undefined {
  const shown = new Set(askedOf(view).map((asked) => asked.id));
  const mates = recent
    .filter(
      (other) =>
        isInboundMessage(other) &&
        other.id !== item.id &&
        !shown.has(other.id) &&
        conversationOf(other) === conversationId &&
        sentTogether(other, item),
    )
    .sort(byTime)
    .slice(0, 3);
  if (!mates.length) return undefined;
  const each = mates.map((mate) =>
    mate.channel && mate.channel !== item.channel
      ? `${channelPhrase(mate.channel)} ${describeMessage(mate)}`
      : describeMessage(mate),
  );
  return `Sent with it: ${each.join(' / ')}`;
}
