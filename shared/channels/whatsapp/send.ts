import * as z from 'zod';
import type { Identity } from '#shared/domain/envelope.js';
import type {
  ChannelSender,
  OutboundAttachment,
  OutboundMessage,
  ProviderHttpRequest,
  SendResult,
  Template,
} from '#shared/domain/outbound.js';
import { replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { isRetryableStatus } from '#shared/http/status.js';
import { callGraph, GRAPH_API_VERSION, GraphErrorBodySchema, graphOrigin } from '../meta/graph.js';
import { whatsAppErrorRule } from './error-codes.js';

/** The one Graph API version every WhatsApp Cloud API call of ours uses; bump it here. */
export const WHATSAPP_API_VERSION = 'v23.0';

const GRAPH_HOST = 'https://graph.facebook.com';
const DEFAULT_TIMEOUT_MS = 10_000;
const E164 = /^\+[1-9]\d{6,14}$/;
const NUMERIC_ID = /^\d{1,32}$/;
const URL_IN_TEXT = /https?:\/\/\S/i;

/** What a request to the Cloud API is built from. */
export interface WhatsAppRequestOptions {
  /** Our business number's `phone_number_id` (not the display number). */
  phoneNumberId: string;
  /** A system-user or business token with `whatsapp_business_messaging`. */
  accessToken: string;
  apiVersion?: string;
  /** The Graph API's origin (META_GRAPH_URL: a local fake in tests); Meta's own by default. */
  graphUrl?: string | undefined;
}

/** The sender's options: the request options plus the injectable `fetch` and a time limit. */
export interface WhatsAppSenderOptions extends WhatsAppRequestOptions {
  fetch?: typeof fetch;
  /** How long one call may take before it counts as a network failure (retried); 10 s by default. */
  timeoutMs?: number;
}

/**
 * The Cloud API's answer to an accepted message. Accepted is not delivered: delivery and failures arrive
 * later as `statuses` webhooks. `message_status` only appears for template pacing.
 */
export const WhatsAppSendResponseSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});

/**
 * Builds the one Cloud API call for a message: `POST /<phone_number_id>/messages` with a Bearer token,
 * the Cloud API message object as JSON body, with the reply's key as `biz_opaque_callback_data` (the
 * sender passes the key it reports as echoed, so both come from one computation).
 * Pure; throws PermanentSendError for a message WhatsApp cannot carry in one call (a template with text,
 * several attachments, a caption on audio) or an identity it cannot address.
 */
export function buildWhatsAppRequest(
  message: OutboundMessage,
  options: WhatsAppRequestOptions,
  key: string | undefined = replyKeyOf(message),
): ProviderHttpRequest {
  const apiVersion = options.apiVersion ?? WHATSAPP_API_VERSION;
  if (!GRAPH_API_VERSION.test(apiVersion))
    throw new PermanentSendError('WhatsApp sender misconfigured: bad API version');
  if (!NUMERIC_ID.test(options.phoneNumberId)) {
    throw new PermanentSendError('WhatsApp sender misconfigured: the phone number id must be numeric');
  }
  if (message.channel !== 'whatsapp') {
    throw new PermanentSendError(`the WhatsApp sender cannot send a ${message.channel} message`);
  }
  const body = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...recipientFields(message.to),
    ...(message.replyTo ? { context: { message_id: message.replyTo } } : {}),
    ...content(message),
    // Handed back on the message's statuses (Meta's status webhook reference): the reply's own key.
    ...(key ? { biz_opaque_callback_data: key } : {}),
  };
  return {
    method: 'POST',
    url: `${graphOrigin(options.graphUrl, GRAPH_HOST)}/${apiVersion}/${options.phoneNumberId}/messages`,
    headers: { Authorization: `Bearer ${options.accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * Sends a message with the Cloud API and maps the answer: throttling, Meta's transient errors, 5xx and
 * network failures are retryable; every other refusal is permanent with the Graph error code and what to
 * do. Errors never carry the token or the message text.
 */
export class WhatsAppSender implements ChannelSender {
  readonly #options: WhatsAppRequestOptions;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: WhatsAppSenderOptions) {
    if (!NUMERIC_ID.test(options.phoneNumberId))
      throw new Error('WhatsAppSender: phoneNumberId must be numeric');
    if (options.accessToken.length === 0) throw new Error('WhatsAppSender: accessToken is empty');
    if (options.apiVersion !== undefined && !GRAPH_API_VERSION.test(options.apiVersion)) {
      throw new Error('WhatsAppSender: apiVersion must look like v23.0');
    }
    this.#options = {
      phoneNumberId: options.phoneNumberId,
      accessToken: options.accessToken,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      ...(options.graphUrl ? { graphUrl: options.graphUrl } : {}),
    };
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const key = replyKeyOf(message);
    const request = buildWhatsAppRequest(message, this.#options, key);
    const { response, answer } = await callGraph(this.#fetch, request, {
      timeoutMs: this.#timeoutMs,
      product: 'WhatsApp',
    });
    if (response.ok) {
      const accepted = WhatsAppSendResponseSchema.safeParse(answer);
      const id = accepted.success ? accepted.data.messages[0]?.id : undefined;
      // Not `keyEchoed`: a status may come without the key (`biz_opaque_callback_data`), and finds the
      // reply through the message reference the sender then links.
      if (id) return { providerMessageId: id };
      // Not retried: WhatsApp may well have accepted it, and a retry could deliver it twice.
      throw new PermanentSendError(
        `WhatsApp answered HTTP ${response.status} without a message id; not retried to avoid a duplicate`,
      );
    }
    throw whatsAppError(response.status, answer);
  }
}

/** `to` for a phone number (E.164 with the `+`), `recipient` for a business-scoped user id. */
function recipientFields(to: Identity): { to: string } | { recipient: string } {
  switch (to.kind) {
    case 'phone':
      if (!E164.test(to.value)) {
        throw new PermanentSendError(
          "the customer's WhatsApp number is not E.164 (+ country code and digits); WhatsApp cannot be addressed",
        );
      }
      return { to: to.value };
    case 'whatsapp':
      // BSUID sends (from May 2026) put the id in `recipient`; `to` would be read as a phone number and
      // win over `recipient` if both were present. Some messages (authentication templates) refuse
      // BSUIDs with error 131062.
      return { recipient: to.value };
    default:
      throw new PermanentSendError(
        `WhatsApp cannot send to a ${to.kind} identity; it needs a phone number or BSUID`,
      );
  }
}

/** The `type` and its object: exactly one of a template, one media item (text as caption) or text. */
function content(message: OutboundMessage): Record<string, unknown> {
  const { template, attachments } = message;
  const text = message.text || undefined;
  if (template) {
    if (text !== undefined || attachments.length > 0) {
      throw new PermanentSendError(
        'a WhatsApp template is sent on its own: send the text or attachments as a separate reply',
      );
    }
    return { type: 'template', template: templateObject(template) };
  }
  if (attachments.length > 1) {
    throw new PermanentSendError(
      `WhatsApp sends one media item per message and this reply has ${attachments.length}: send one reply per attachment`,
    );
  }
  const [attachment] = attachments;
  if (attachment) {
    const type = mediaType(attachment);
    return { type, [type]: mediaObject(type, attachment, text) };
  }
  if (text !== undefined && message.choices?.length) return buttons(text, message.choices);
  if (text !== undefined) return { type: 'text', text: { preview_url: URL_IN_TEXT.test(text), body: text } };
  throw new PermanentSendError('nothing to send: the reply has no text, template or attachment');
}

/** An interactive reply-buttons message: WhatsApp takes 1 to 3 buttons and a body of 1,024 characters. */
function buttons(text: string, choices: NonNullable<OutboundMessage['choices']>): Record<string, unknown> {
  if (choices.length > 3 || text.length > 1024) {
    throw new PermanentSendError(
      'WhatsApp reply buttons take at most 3 buttons and 1,024 characters of text',
    );
  }
  return {
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text },
      action: { buttons: choices.map(({ id, title }) => ({ type: 'reply', reply: { id, title } })) },
    },
  };
}

function templateObject(template: Template): Record<string, unknown> {
  return {
    name: template.name,
    language: { code: template.language },
    ...(template.parameters.length > 0
      ? {
          components: [
            { type: 'body', parameters: template.parameters.map((value) => ({ type: 'text', text: value })) },
          ],
        }
      : {}),
  };
}

type MediaType = 'image' | 'audio' | 'video' | 'document';

function mediaType(attachment: OutboundAttachment): MediaType {
  return attachment.kind === 'file' ? 'document' : attachment.kind;
}

/** Media by link (WhatsApp fetches and caches it for 10 minutes); audio takes no caption. */
function mediaObject(type: MediaType, attachment: OutboundAttachment, caption: string | undefined) {
  if (type === 'audio' && caption !== undefined) {
    throw new PermanentSendError(
      'WhatsApp audio carries no caption: send the text and the audio as separate replies',
    );
  }
  return {
    link: attachment.url,
    ...(caption !== undefined ? { caption } : {}),
    ...(type === 'document' && attachment.filename ? { filename: attachment.filename } : {}),
  };
}

/** The SendError for a refused call, from the Graph error code if there is one, else the HTTP status. */
function whatsAppError(status: number, answer: unknown): PermanentSendError | RetryableSendError {
  const parsed = GraphErrorBodySchema.safeParse(answer);
  if (!parsed.success) {
    return isRetryableStatus(status)
      ? new RetryableSendError(`WhatsApp answered HTTP ${status}; will retry`)
      : new PermanentSendError(`WhatsApp refused the message with HTTP ${status} and no error code`);
  }
  const { code, fbtrace_id: trace } = parsed.data.error;
  const rule = whatsAppErrorRule(code);
  const where = `error ${code}, HTTP ${status}${trace ? `, fbtrace_id ${trace}` : ''}`;
  const retry = rule ? rule.retry : isRetryableStatus(status);
  if (retry) {
    return new RetryableSendError(
      `WhatsApp is throttling or unavailable (${where}): ${rule?.hint ?? 'transient'}; will retry`,
    );
  }
  if (rule?.credentials) {
    return new CredentialsRefusedError(
      `WhatsApp refused our credentials (${where}): ${rule.hint}`,
      String(code),
    );
  }
  return new PermanentSendError(
    `WhatsApp refused the message (${where}): ${rule?.hint ?? "see Meta's WhatsApp error code reference"}`,
    String(code),
  );
}
