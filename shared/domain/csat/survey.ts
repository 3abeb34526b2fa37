import { createHash } from 'node:crypto';
import * as z from 'zod';
import { type Channel, ChannelSchema } from '../envelope.js';
import type { Template } from '../outbound.js';
import { MESSAGING_WINDOW_MS, WHATSAPP_WINDOW_MS } from '../replies.js';
import type { TimelineItem } from '../timeline.js';
import { csatChoiceId } from './answer.js';
import type { CsatSection } from './section.js';

/** How long after a chat survey a bare "5" still answers it (the email links live longer). */
export const CSAT_ANSWER_WINDOW_MS = 72 * 3_600_000;

/** A survey's id: the same for the same conversation and resolve, so a timer firing twice makes one. */
export function csatSurveyId(conversationId: string, resolvedAt: string): string {
  return `sv${createHash('sha256').update(`${conversationId}\n${resolvedAt}`).digest('base64url').slice(0, 16)}`;
}

/**
 * The survey waiting for an answer, kept on the customer's profile (which the resolver reads anyway),
 * so recognising an answer costs no extra read. A newer survey replaces it.
 */
export const CsatPendingSchema = z.object({
  surveyId: z.string(),
  conversationId: z.string(),
  channel: ChannelSchema,
  sentAt: z.iso.datetime(),
  /** Until then a digit on `channel` answers the survey. */
  until: z.iso.datetime(),
  /** The resolve the survey asks about (its time); a later resolve of the customer's makes it stale. */
  resolvedAt: z.iso.datetime().optional(),
  /**
   * On a survey a merge carried to the kept customer: the merge's time. The kept customer's resolves
   * before it were of their own conversations, which the survey never asked about: they do not void it.
   */
  carriedAt: z.iso.datetime().optional(),
});
export type CsatPending = z.infer<typeof CsatPendingSchema>;

/** Whether a pending survey takes an answer on this channel now. */
export function csatAwaits(pending: CsatPending | undefined, channel: Channel, at: string): boolean {
  return pending !== undefined && pending.channel === channel && at <= pending.until && at >= pending.sentAt;
}

/**
 * Whether the conversation moved on since the survey asked about it: reopened (by the customer or by
 * hand) and open now, or resolved again since (with no newer survey to replace this one). What the
 * customer writes then is about the conversation, not a score. Read from the profile the resolver
 * holds anyway: its open conversation, and its last resolve's time (counted from the merge on a
 * survey a merge carried: the kept customer's earlier resolves were of other conversations).
 */
export function csatOvertaken(
  pending: CsatPending,
  profile: { openConversationId?: string | undefined; lastResolvedAt?: string | undefined } | undefined,
): boolean {
  if (profile?.openConversationId === pending.conversationId) return true;
  const last = profile?.lastResolvedAt;
  if (pending.resolvedAt === undefined || last === undefined) return false;
  const since =
    pending.carriedAt && pending.carriedAt > pending.resolvedAt ? pending.carriedAt : pending.resolvedAt;
  return last > since;
}

/** One choice of a survey: an id the provider hands back, and what the customer sees. */
export interface CsatChoice {
  id: string;
  title: string;
}

/** The survey as one message: what a reply request carries (text, choices, or a template). */
export interface CsatForm {
  text?: string;
  choices?: CsatChoice[];
  template?: Template;
}

/** What goes out on a channel, or why nothing can. */
export type CsatFormResult = { form: CsatForm } | { skip: string; detail: string };

/** The five scores, 5 first, as choices of this survey. */
function scoreChoices(surveyId: string, titles: (score: number) => string): CsatChoice[] {
  return [5, 4, 3, 2, 1].map((score) => ({ id: csatChoiceId(surveyId, score), title: titles(score) }));
}

/** What the form needs to know of the channel and the customer's last message on it. */
export interface CsatFormInput {
  section: CsatSection;
  channel: Channel;
  surveyId: string;
  now: Date;
  lastInboundAt?: string | undefined;
  /** Email: the link for each score. */
  link?: ((score: number) => string) | undefined;
}

/**
 * The survey in the channel's own form. WhatsApp: reply buttons inside the 24-hour window (three, its
 * limit: Great 5, OK 3, Poor 1; a typed 1 to 5 also counts), the approved `whatsappTemplate` outside it,
 * none without one. Messenger and Instagram: five quick replies, inside their 24-hour window only (a
 * survey is not a human agent's reply, so no HUMAN_AGENT tag). SMS: "Reply 1 to 5". Email: five links.
 */
export function csatForm(input: CsatFormInput): CsatFormResult {
  const { section, channel, surveyId } = input;
  const since = input.lastInboundAt ? input.now.getTime() - Date.parse(input.lastInboundAt) : Infinity;
  const { question, words } = section;
  switch (channel) {
    case 'whatsapp':
      if (since <= WHATSAPP_WINDOW_MS) {
        const titles: Record<number, string> = { 5: words.great, 3: words.ok, 1: words.poor };
        const choices = scoreChoices(surveyId, (s) => titles[s] ?? '').filter((c) => c.title);
        return { form: { text: `${question}\n${words.whatsapp}`, choices } };
      }
      if (section.whatsappTemplate) return { form: { template: section.whatsappTemplate } };
      return {
        skip: 'whatsapp_template_missing',
        detail:
          'the WhatsApp 24-hour window had closed and csat.whatsappTemplate is not set: WhatsApp only allows an approved template now',
      };
    case 'messenger':
    case 'instagram':
      if (since > MESSAGING_WINDOW_MS) {
        return {
          skip: 'messaging_window_closed',
          detail: `the customer last wrote on ${channel} more than 24 hours ago: a survey may only go out within 24 hours`,
        };
      }
      return { form: { text: question, choices: scoreChoices(surveyId, (s) => `${s} ${'⭐'.repeat(s)}`) } };
    case 'email': {
      const link = input.link;
      if (!link)
        return { skip: 'no_public_url', detail: 'PUBLIC_BASE_URL is not set: the survey links need it' };
      const lines = [5, 4, 3, 2, 1].map((s) => `${s} ${'★'.repeat(s)}${'☆'.repeat(5 - s)}  ${link(s)}`);
      return { form: { text: `${question}\n\n${words.email}\n\n${lines.join('\n')}\n` } };
    }
    default:
      return { form: { text: `${question} ${words.sms}` } };
  }
}

/** The timeline id of a survey's answer: one per survey, so an answer lands once. */
export const csatItemId = (surveyId: string): string => `csat:${surveyId}`;

/** One answer to record: the survey it answers, the score and comment, and what sent it. */
export interface CsatAnswerRecord {
  customerId: string;
  conversationId: string;
  surveyId: string;
  sentAt: string;
  channel: Channel;
  score: number;
  comment?: string | undefined;
  answeredAt: string;
  /** What answered: the message's envelope id, or `link:<score>`. */
  source: string;
}

/**
 * The timeline event of an answer, at the survey's time (a fixed key: the same answer writes once),
 * with whom the metrics credit it (`agent`, `ai`: see `metricsCredit`), so the list of answers names
 * the same agent the figures count it under.
 */
export function csatItem(
  input: CsatAnswerRecord,
  credit: { agent?: string | undefined; ai: boolean } = { ai: false },
): TimelineItem {
  return {
    id: csatItemId(input.surveyId),
    type: 'event',
    event: 'csat',
    channel: input.channel,
    at: input.sentAt,
    customerId: input.customerId,
    conversationId: input.conversationId,
    data: {
      conversationId: input.conversationId,
      surveyId: input.surveyId,
      score: input.score,
      ...(input.comment ? { comment: input.comment } : {}),
      answeredAt: input.answeredAt,
      source: input.source,
      ...(credit.agent ? { agent: credit.agent } : {}),
      ai: credit.ai,
    },
  };
}

/**
 * One survey as the daily counters take it: sent, or skipped and why (`csat_skipped`'s reason), on the
 * day it was due, in its conversation's shard.
 */
export type CsatSurveyCount = { conversationId: string; at: string } & (
  | { outcome: 'sent' }
  | { outcome: 'skipped'; reason: string }
);

/** One answer as the daily counters take it: the score and what CSAT is broken down by. */
export interface CsatTally {
  conversationId: string;
  at: string;
  score: number;
  channel: Channel;
  queue?: string | undefined;
  /** The agent credited: the assignee, else the last person who answered (`metricsCredit`). */
  agent?: string | undefined;
  /** Only the AI answered and no agent has the conversation (`metricsCredit`); else a person's. */
  ai: boolean;
}
