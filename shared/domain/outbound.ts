import * as z from 'zod';
import { cleanText } from '../validation/visible-text.js';
import { ChannelSchema, IdentitySchema } from './envelope.js';

/**
 * Who wrote an outbound message: an `agent`, or `ai` for everything no person wrote (the AI responder,
 * an automation, a survey: its author id says which).
 */
export const AuthorKindSchema = z.enum(['agent', 'ai']);
export type AuthorKind = z.infer<typeof AuthorKindSchema>;

/** A WhatsApp template: the only thing that may be sent outside the 24-hour customer service window. */
export const TemplateSchema = z.object({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(16),
  /** Body parameters, in order, made clean (see cleanText). */
  parameters: z
    .array(z.string().max(1024).overwrite(cleanText))
    .max(20)
    .default([])
    .describe(
      "the body's positional text parameters in order ({{1}}, {{2}}…), sent as its one `body` component; header, button and named parameters are not sent",
    ),
});
export type Template = z.infer<typeof TemplateSchema>;

/** A file to send by URL (the provider fetches it). */
export const OutboundAttachmentSchema = z.object({
  url: z.url().max(2048),
  kind: z.enum(['image', 'audio', 'video', 'document', 'file']).default('file'),
  filename: z.string().max(255).overwrite(cleanText).optional(),
  mimeType: z.string().max(255).optional(),
});
export type OutboundAttachment = z.infer<typeof OutboundAttachmentSchema>;

/**
 * A reply's file, by a link the provider fetches (WhatsApp, Twilio, Meta) or the customer opens (email,
 * web chat): http or https only. Before, `file:///etc/passwd` or `javascript:` was queued and failed at
 * the provider, or went out as a link in an email.
 */
export const ReplyAttachmentSchema = z.strictObject({
  ...OutboundAttachmentSchema.shape,
  url: z
    .url({ protocol: /^https?$/, error: 'an attachment is a link the provider can fetch: http or https' })
    .max(2048),
});

/**
 * One message to send, as the agent API (or the AI responder) puts it on the outbound queue. The
 * sender turns it into exactly one provider API call.
 */
export const OutboundMessageSchema = z.object({
  /** Our id of the reply; the timeline item is `reply:<id>`. */
  id: z.string().min(1).max(128),
  customerId: z.string(),
  conversationId: z.string(),
  /** When the reply was written (its timeline item's `at`). */
  at: z.iso.datetime(),
  /**
   * An AI reply's place on the timeline: right after the message it answers, so its key follows from that
   * message and a redelivery finds it. The sender finds the item by it; `at` when unset.
   */
  placedAt: z.iso.datetime().optional(),
  channel: ChannelSchema,
  /** The customer's address on that channel. */
  to: IdentitySchema,
  /** Our side: WhatsApp phone_number_id, page or IG account id, Twilio number, our email address. */
  from: z.string().max(320).optional(),
  /**
   * WhatsApp only: the customer wrote through Twilio (their profile's `whatsappProvider`), so with both
   * Twilio and the Cloud API set the reply goes through Twilio; absent, through the Cloud API.
   */
  whatsappProvider: z.enum(['twilio']).optional(),
  /** Made clean (see cleanText) when queued and again when read: no control character is ever sent. */
  text: z.string().max(65_536).overwrite(cleanText).optional(),
  template: TemplateSchema.optional(),
  attachments: z.array(OutboundAttachmentSchema).max(10).default([]),
  /**
   * Choices the customer taps instead of typing (a survey's scores): WhatsApp reply buttons (at most
   * 3), Messenger and Instagram quick replies (at most 13). The provider hands the id back.
   */
  choices: z
    .array(z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }))
    .max(13)
    .optional(),
  /** Messenger/Instagram: a message tag, for HUMAN_AGENT replies between 24 hours and 7 days. */
  tag: z.enum(['HUMAN_AGENT']).optional(),
  /** The provider message id this answers (WhatsApp context, email In-Reply-To). */
  replyTo: z.string().max(998).optional(),
  /** Email threading and subject. */
  email: z
    .object({
      subject: z.string().max(998),
      inReplyTo: z.string().max(998).optional(),
      references: z.array(z.string().max(998)).max(50).default([]),
      /** Copied (Cc): whom the customer's latest mail in the thread was also addressed to (`copiedAddresses`). */
      cc: z.array(z.string().max(320)).max(10).optional(),
    })
    .optional(),
  /**
   * Who wrote it. `automatic`: no one sent it by hand; `webchat_email_fallback` is the email that
   * carries an agent's unread web-chat replies (`id` that agent): left out of the visitor's chat, and
   * shown to agents as an automatic email, not as the agent's.
   */
  author: z.object({
    kind: AuthorKindSchema,
    id: z.string().max(128),
    automatic: z.literal('webchat_email_fallback').optional(),
  }),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

/** What a provider said when it accepted a message. */
export interface SendResult {
  /** The provider's id of the sent message; status callbacks refer to it. */
  providerMessageId: string;
  /** Email: the RFC Message-ID header we sent, so replies thread back. */
  messageIdHeader?: string;
  /**
   * Every status callback of this message will carry the reply's key (reply-key.ts): statuses find the
   * reply without the message reference, so the sender need not link one.
   */
  keyEchoed?: boolean;
}

/**
 * One HTTP call to a provider's send API, built without I/O (a test checks it by plain equality) and
 * ready for `fetch(url, { method, headers, body })`.
 */
export interface ProviderHttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  /** The encoded body: JSON text for Meta's APIs, `application/x-www-form-urlencoded` for Twilio's. */
  body: string;
}

/** Sends one message on one channel; throws SendError subclasses. */
export interface ChannelSender {
  send(message: OutboundMessage): Promise<SendResult>;
}
