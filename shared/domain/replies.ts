import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ConflictError, NotFoundError, ThreadlineError, UnprocessableError } from '../errors.js';
import { cleanText } from '../validation/visible-text.js';
import { normaliseEmail } from './addresses.js';
import { subjectOf } from './email-subject.js';
import { type Channel, ChannelSchema, type Identity } from './envelope.js';
import { keyedId, requestHash } from './idempotency.js';
import { type OutboundMessage, ReplyAttachmentSchema, TemplateSchema } from './outbound.js';
import { lastNumberOn, sentFrom } from './reply-numbers.js';
import type { ContactState } from './resolver-ports.js';
import { optedOutDetail } from './sms-opt-out.js';
import { templateText } from './template-text.js';
import type { Customer, TimelineItem } from './timeline.js';
import { whatsappOptOutRefusal } from './whatsapp-opt-out.js';
import { whatsAppWindowClosed, windowClosedOn } from './whatsapp-window.js';

const HOUR = 3_600_000;
/** WhatsApp's customer service window: free-form messages within 24 hours of the customer's last one. */
export const WHATSAPP_WINDOW_MS = 24 * HOUR;
/** Messenger and Instagram: standard messaging within 24 hours, a HUMAN_AGENT tag up to 7 days. */
export const MESSAGING_WINDOW_MS = 24 * HOUR;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR;

/**
 * The codes a reply the rules forbid is refused with: what `GET /api/customers/{id}/channels` answers as
 * a channel's `reason`, so the document lists them and a client can switch on them.
 */
export const ReplyRefusalSchema = z.enum([
  'no_channel',
  'no_address',
  'whatsapp_window_closed',
  'messaging_window_closed',
  'sms_opted_out',
  'whatsapp_opted_out',
  'email_suppressed',
  'ambiguous_recipient',
  'webchat_not_available',
]);
export type ReplyRefusal = z.infer<typeof ReplyRefusalSchema>;

/** A reply the rules forbid: 409 when the customer's state must change first, 422 when the request must. */
function refuse(code: ReplyRefusal, message: string, status: 409 | 422): Error {
  return status === 409 ? new ConflictError(message, code) : new UnprocessableError(message, code);
}

/** A reply the rules refuse (a closed window, STOP, a suppressed address, no address): not a failure. */
export const isRefusal = (error: unknown): error is ConflictError =>
  error instanceof ConflictError || error instanceof UnprocessableError || error instanceof NotFoundError;

/** The kinds of identity that are an address on each channel (a reply there needs one). */
export const ADDRESS_KIND: Record<Channel, Identity['kind'][]> = {
  sms: ['phone'],
  voice: ['phone'],
  whatsapp: ['phone', 'whatsapp'],
  email: ['email'],
  messenger: ['messenger'],
  instagram: ['instagram'],
  webchat: ['webchat_user', 'webchat_visitor'],
};

/**
 * The customer's address on a channel: their phone, email or page-scoped id. On WhatsApp and SMS, the
 * number they last wrote from on that channel (see {@link lastNumberOn}); else, and for a profile from
 * before it was kept, their first identity of the channel's kinds.
 */
export function replyAddress(
  customer: Customer,
  channel: Channel,
  profiles: readonly Customer[] = [customer],
): Identity {
  const last = lastNumberOn(customer, profiles, channel);
  if (last) return { kind: 'phone', value: last };
  for (const kind of ADDRESS_KIND[channel]) {
    const identity = customer.identities.find((i) => i.kind === kind);
    if (identity) return identity;
  }
  throw refuse(
    'no_address',
    `the customer has no ${ADDRESS_KIND[channel].join(' or ')} to reach them on ${channel}`,
    422,
  );
}

/** What the rules need to know about the reply and the customer's state on the channel. */
export interface ReplyContext {
  channel: Channel;
  now: Date;
  /** When the customer last wrote on this channel. */
  lastInboundAt?: string | undefined;
  /** WhatsApp: a reply it failed as outside the window was written then (see `whatsapp-window.ts`). */
  windowClosedAt?: string | undefined;
  hasTemplate: boolean;
  /**
   * No person wrote it: the AI, an automation, a survey, a timer. Meta's HUMAN_AGENT tag is for a human
   * agent's reply only, so an automated message on Messenger or Instagram goes out within 24 hours or not at all.
   */
  automated: boolean;
  /** An SMS or WhatsApp opt-out, or an email suppression, on the address. */
  blocked?: { reason: string; at: string; number?: string | undefined } | undefined;
}

/** What the rules allow: possibly with a message tag. */
export interface ReplyPermit {
  tag?: 'HUMAN_AGENT';
}

/**
 * Enforces each provider's rules before anything is queued, with an error that says why and what to
 * do: WhatsApp's 24-hour window (a template outside it), Messenger and Instagram's 24 hours (and, for
 * a person's reply only, a HUMAN_AGENT tag up to 7 days), SMS opt-outs (STOP) and suppressed email addresses.
 */
export function checkReplyRules(context: ReplyContext): ReplyPermit {
  const since = context.lastInboundAt ? context.now.getTime() - Date.parse(context.lastInboundAt) : Infinity;
  switch (context.channel) {
    case 'whatsapp': {
      const closed = !context.hasTemplate && whatsAppWindowClosed(context, since > WHATSAPP_WINDOW_MS);
      if (closed) throw refuse('whatsapp_window_closed', closed, 422);
      const optedOut = whatsappOptOutRefusal(context);
      if (optedOut) throw refuse('whatsapp_opted_out', optedOut, 409);
      return {};
    }
    case 'messenger':
    case 'instagram':
      if (since <= MESSAGING_WINDOW_MS) return {};
      if (context.lastInboundAt && !context.automated && since <= HUMAN_AGENT_WINDOW_MS)
        return { tag: 'HUMAN_AGENT' };
      // Never written: only the business has (a Page inbox message, an echo), which opens no window.
      throw refuse(
        'messaging_window_closed',
        !context.lastInboundAt
          ? `the customer has never written on ${context.channel}: Meta allows a reply only once they write (a Page inbox message is not theirs)`
          : context.automated
            ? `the customer last wrote on ${context.channel} more than 24 hours ago: only a person may reply now (Meta's HUMAN_AGENT tag, up to 7 days); an automated message (AI, automation, survey) may not`
            : `the customer last wrote on ${context.channel} more than 7 days ago: Meta allows no reply until they write again`,
        409,
      );
    case 'sms':
    case 'voice':
      if (context.blocked) throw refuse('sms_opted_out', optedOutDetail(context.blocked), 409);
      return {};
    case 'email':
      if (context.blocked) {
        throw refuse(
          'email_suppressed',
          `this email address is suppressed (${context.blocked.reason}, ${context.blocked.at}): reply on another channel`,
          409,
        );
      }
      return {};
    case 'webchat':
      return {};
  }
}

/**
 * The refusal a reply rule threw, as a channel's `reason`; any other error is thrown on (the rules throw
 * only through {@link refuse}, so none is).
 */
export function refusalOf(error: unknown): { reason: ReplyRefusal; detail: string } {
  if (!(error instanceof ThreadlineError)) throw error;
  const reason = ReplyRefusalSchema.options.find((code) => code === error.code);
  if (!reason) throw error;
  return { reason, detail: error.message };
}

/** Whether a reply may go out on a channel now, and if not why: what the reply box shows before typing. */
export const ChannelOptionSchema = z.object({
  channel: ChannelSchema,
  available: z.boolean(),
  /** The rule's error code when not available (`whatsapp_window_closed`, `sms_opted_out`, ...). */
  reason: ReplyRefusalSchema.optional(),
  /** The rule's explanation, as the reply would be refused with. */
  detail: z.string().optional(),
  /** Only an approved template may go out (WhatsApp outside its 24-hour window). */
  needsTemplate: z.boolean().optional(),
  /** The message tag the reply will carry (Messenger and Instagram between 24 hours and 7 days). */
  tag: z.literal('HUMAN_AGENT').optional(),
  /** The longest text a reply to this customer may carry on the channel (`text_too_long` past it). */
  maxLength: z.number().int().positive().optional(),
});
export type ChannelOption = z.infer<typeof ChannelOptionSchema>;

/** The same rules {@link checkReplyRules} enforces, asked before the agent types instead of on sending. */
export function channelOption(context: Omit<ReplyContext, 'hasTemplate' | 'automated'>): ChannelOption {
  const channel = context.channel;
  try {
    const permit = checkReplyRules({ ...context, hasTemplate: false, automated: false });
    return { channel, available: true, ...(permit.tag ? { tag: permit.tag } : {}) };
  } catch (error) {
    const refused = { channel, ...refusalOf(error) };
    if (refused.reason !== 'whatsapp_window_closed') return { ...refused, available: false };
    const optedOut = whatsappOptOutRefusal({ ...context, hasTemplate: true, automated: false });
    if (optedOut) return { channel, reason: 'whatsapp_opted_out', detail: optedOut, available: false };
    return { ...refused, available: true, needsTemplate: true };
  }
}

/**
 * The body of `POST /api/conversations/{id}/replies`. Strict, template and attachments included: an
 * unknown key is a 400, so a typo (`chanel`) is not a reply sent on the default channel.
 */
export const ReplyRequestSchema = z
  .strictObject({
    text: z.string().overwrite(cleanText).trim().min(1).max(65_536).optional(),
    channel: z.optional(ChannelSchema),
    template: z.strictObject(TemplateSchema.shape).optional(),
    attachments: z.array(ReplyAttachmentSchema).max(10).default([]),
    expectedAssignee: z
      .string()
      .max(128)
      .optional()
      .describe(
        'the agent the caller saw holding the conversation (`me` for yourself, `""` for nobody): a reply to an open conversation another agent has is refused (`409` `assignee_changed`, nothing sent) unless this names them; it then goes out beside theirs and the conversation stays theirs',
      ),
  })
  .refine((r) => r.text !== undefined || r.template !== undefined || r.attachments.length > 0, {
    message: 'a reply needs text, a template or an attachment',
  });
export type ReplyRequest = z.infer<typeof ReplyRequestSchema>;

/** Who writes a reply: an agent, or the AI responder. */
export type ReplyAuthor = OutboundMessage['author'];

/** The timeline id of a reply. */
export const replyItemId = (replyId: string): string => `reply:${replyId}`;

/** An AI reply's place: one millisecond after the message it answers, so it sorts right after it. */
export const placedReplyAt = (answeredAt: string): string =>
  new Date(Date.parse(answeredAt) + 1).toISOString();

/** The time of the message an AI reply placed at `placedAt` answers. */
export const answeredAtOf = (placedAt: string): string => new Date(Date.parse(placedAt) - 1).toISOString();

/**
 * The timeline item of a reply: on the timeline as `queued` at once. Its `at` is where it is placed
 * (`placedAt` for an AI reply), which with its id makes its key; `from`, our number it goes from when known (sentFrom). A web-chat one says whom it is for (`to`),
 * an email one the address it went to (`to`) and its Subject (`data.subject`). A WhatsApp template's
 * has the template (`data.template`) and, as its text, the line that says it (`templateText`): the
 * message itself has no text, so a retry that reads the text back (`putReply`) never adds one.
 */
export function replyItem(message: OutboundMessage): TimelineItem {
  return {
    id: replyItemId(message.id),
    type: 'message',
    direction: 'outbound',
    channel: message.channel,
    at: message.placedAt ?? message.at,
    customerId: message.customerId,
    conversationId: message.conversationId,
    to: message.to,
    ...sentFrom(message),
    status: 'queued',
    statusAt: message.at,
    contentType: !message.template && message.attachments.length && !message.text ? 'document' : 'text',
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.template && message.text === undefined ? { text: templateText(message.template) } : {}),
    data: {
      author: message.author,
      ...(message.template ? { template: message.template } : {}),
      ...(message.tag ? { tag: message.tag } : {}),
      ...(message.choices ? { choices: message.choices } : {}),
      ...(message.attachments.length ? { attachments: message.attachments } : {}),
      ...(message.channel === 'email' ? { subject: sentSubject(message) } : {}),
      // Who the reply copied, as an inbound mail's Cc is kept.
      ...(message.email?.cc?.length ? { ccAddresses: message.email.cc } : {}),
    },
  };
}

/** The Subject an email reply goes out with (see buildRawEmail), kept on its item for agents to see. */
const sentSubject = (message: OutboundMessage): string =>
  subjectOf(message.email?.subject, (message.email?.inReplyTo ?? message.replyTo) !== undefined);

const AI_REPLY_PREFIX = 'ai:';
const AI_REPLY_ID_MAX = 120;

/**
 * The id of the AI's reply to an inbound item: the item's own id, so replies to messages of the same
 * millisecond sort as those messages do; past 120 characters a prefix of it and a hash of the whole.
 */
export function aiReplyId(itemId: string): string {
  const id = `${AI_REPLY_PREFIX}${itemId}`;
  if (id.length <= AI_REPLY_ID_MAX) return id;
  const hash = createHash('sha256').update(itemId).digest('base64url').slice(0, 22);
  return `${AI_REPLY_PREFIX}${itemId.slice(0, 96)}~${hash}`;
}

/** The inbound item an AI reply (`reply:ai:<item id>`) answers, when its id names it whole. */
export function answeredItemOf(replyItemIdValue: string): string | undefined {
  const prefix = replyItemId(AI_REPLY_PREFIX);
  if (!replyItemIdValue.startsWith(prefix)) return undefined;
  const itemId = replyItemIdValue.slice(prefix.length);
  return aiReplyId(itemId) === `${AI_REPLY_PREFIX}${itemId}` ? itemId : undefined;
}

/** The reply id for an Idempotency-Key: the same key on the same conversation is the same reply. */
export function replyIdFor(conversationId: string, agentId: string, idempotencyKey: string): string {
  return keyedId('rp_', conversationId, agentId, idempotencyKey);
}

/** A digest of a reply request as validated (see `requestHash`), kept with an Idempotency-Key's reply. */
export const replyRequestHash = (request: ReplyRequest): string => requestHash(request);

/** The id that owns an Idempotency-Key: the agent, or the AI under its own namespace. */
export function replyKeyOwner(author: ReplyAuthor): string {
  return author.kind === 'agent' ? author.id : `${author.kind}:${author.id}`;
}

/** The times a reply's window on a channel runs from, across the merged profiles (`ReplyContext`). */
export function replyWindowOn(profiles: readonly Customer[], channel: Channel) {
  return {
    lastInboundAt: lastInboundOn(profiles, channel),
    windowClosedAt: windowClosedOn(profiles, channel),
  };
}

/** When the customer last wrote on a channel, across their merged profiles. */
export function lastInboundOn(profiles: readonly Customer[], channel: Channel): string | undefined {
  return profiles
    .map((p) => p.lastInboundByChannel[channel])
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
}

/**
 * The block a reply to `to` meets, if any: the recorded contact state, except that an email
 * suppression (a permanent bounce, a complaint) ends once the customer writes to us again from that very
 * address after it. A mailbox that sends again is one that takes mail, and a customer who asks us
 * something wants the answer. Only their own mail counts: not an auto-reply or list mail, not quarantined
 * or unauthenticated mail, not mail whose From nothing vouched for (anyone may forge a From). `latest` is the customer's latest inbound emails,
 * already read to address the reply, so this costs no read. SMS is lifted by START only (carrier rules).
 */
export function standingBlock(
  state: ContactState | undefined,
  to: Identity,
  latest: readonly (TimelineItem | undefined)[] = [],
): { reason: string; at: string; number?: string | undefined } | undefined {
  if (!state?.blocked) return undefined;
  const block = { reason: state.reason, at: state.at, ...(state.number ? { number: state.number } : {}) };
  if (to.kind !== 'email') return block;
  const wroteAgain = latest.some(
    (item) =>
      item !== undefined &&
      item.direction === 'inbound' &&
      item.at > state.at &&
      item.from?.kind === 'email' &&
      normaliseEmail(item.from.value) === to.value &&
      item.data?.autoReply !== true &&
      item.data?.quarantined !== true &&
      item.data?.authenticated !== false &&
      item.data?.fromUnverified === undefined,
  );
  return wroteAgain ? undefined : block;
}

/** The newest of the customer's latest inbound emails (one per merged partition). */
export function newestOf(latest: readonly (TimelineItem | undefined)[]): TimelineItem | undefined {
  return latest
    .filter((i): i is TimelineItem => i !== undefined)
    .sort((a, b) => (a.at < b.at ? -1 : 1))
    .at(-1);
}

/**
 * Where an email reply goes: the first Reply-To of the email it answers (the customer's latest), as
 * RFC 5322 §3.6.2 asks of a reply (a contact form writes the customer there and its own address in
 * From), else the address that email came from (a customer with two addresses, merged, is answered
 * where they wrote, not at the first address known), else `identity`, the customer's address. Only
 * the reply's destination follows Reply-To: the mail was attached to its customer by its From (see the
 * SES normaliser). A Reply-To or a From is followed only when something vouched for that From: else
 * whoever wrote it in someone's name would get the answer to that customer's thread.
 */
export function emailReplyAddress(
  latest: readonly (TimelineItem | undefined)[],
  identity: Identity,
): Identity {
  const newest = newestOf(latest);
  if (!fromVouched(newest)) return identity;
  const listed = newest?.data?.replyToAddresses;
  const first = Array.isArray(listed) ? listed[0] : undefined;
  const replyTo = typeof first === 'string' ? normaliseEmail(first) : undefined;
  if (replyTo) return { kind: 'email', value: replyTo };
  const from = newest?.from?.kind === 'email' ? normaliseEmail(newest.from.value) : undefined;
  return from ? { kind: 'email', value: from } : identity;
}

/**
 * Whether something vouched for an inbound email's From (see the SES normaliser's `fromCheck`): not
 * `fromUnverified`, not unauthenticated, and (for mail stored before `fromUnverified` was written)
 * no DMARC `FAIL` among its verdicts.
 */
function fromVouched(item: TimelineItem | undefined): boolean {
  const data = item?.data ?? {};
  if (data.fromUnverified !== undefined || data.authenticated === false) return false;
  const verdicts = data.verdicts as Record<string, unknown> | undefined;
  return typeof verdicts?.dmarc !== 'string' || verdicts.dmarc.toUpperCase() !== 'FAIL';
}
