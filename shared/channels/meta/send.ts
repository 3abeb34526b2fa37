import * as z from 'zod';
import type {
  ChannelSender,
  OutboundAttachment,
  OutboundMessage,
  ProviderHttpRequest,
  SendResult,
} from '#shared/domain/outbound.js';
import { replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { isRetryableStatus } from '#shared/http/status.js';
import { callGraph, GRAPH_API_VERSION, GraphErrorBodySchema, graphOrigin } from './graph.js';

/** The one Graph API version every Messenger and Instagram Send API call of ours uses; bump it here. */
export const META_SEND_API_VERSION = 'v23.0';

const DEFAULT_TIMEOUT_MS = 10_000;
const NUMERIC_ID = /^\d{1,32}$/;

/**
 * How the Instagram account is connected. `facebook-login` (Messenger API for Instagram): the Page token
 * of the Facebook Page linked to the account, `graph.facebook.com/<v>/me/messages` (the identity carries
 * the IG account id, not the Page id, and `me` is the token's Page). `instagram-login`: an Instagram User
 * token, `graph.instagram.com/<v>/<IG_ID>/messages`.
 */
export type InstagramApi = 'facebook-login' | 'instagram-login';

/** What a Send API request is built from. */
export interface MetaSendRequestOptions {
  /** The Page access token (Messenger, Instagram with Facebook Login), or the Instagram User token. */
  pageAccessToken: string;
  apiVersion?: string;
  /** `facebook-login` by default. */
  instagramApi?: InstagramApi;
  /**
   * The Graph API's origin (META_GRAPH_URL: a local fake, so a refusal can be rehearsed), for both
   * Graph hosts; Meta's own (`graph.facebook.com`, `graph.instagram.com`) by default.
   */
  graphUrl?: string | undefined;
}

/** The sender's options: the request options plus the injectable `fetch` and a time limit. */
export interface MetaMessagingSenderOptions extends MetaSendRequestOptions {
  fetch?: typeof fetch;
  /** How long one call may take before it counts as a network failure (retried); 10 s by default. */
  timeoutMs?: number;
}

/** The Send API's answer; `recipient_id` is absent for `user_ref` and phone-number recipients. */
export const MetaSendResponseSchema = z.object({
  recipient_id: z.string().optional(),
  message_id: z.string().min(1),
});

/**
 * Builds the one Send API call for a Messenger or Instagram message, with a Bearer token (kept out of the
 * URL, unlike Meta's `?access_token=` samples). `to.value` is `<page or IG account id>:<scoped user id>`.
 * The body is `messaging_type: RESPONSE`, or `MESSAGE_TAG` with `tag: HUMAN_AGENT` when the reply rules
 * set that tag. A message holds text or one attachment, never both, so a reply with text and an
 * attachment, or several attachments, is refused (PermanentSendError): the caller sends one reply per
 * part. Templates are WhatsApp's. `replyTo` is not sent: the Send API reference documents no field to
 * quote a message.
 */
export function buildMetaSendRequest(
  message: OutboundMessage,
  options: MetaSendRequestOptions,
): ProviderHttpRequest {
  const apiVersion = options.apiVersion ?? META_SEND_API_VERSION;
  if (!GRAPH_API_VERSION.test(apiVersion))
    throw new PermanentSendError('Meta sender misconfigured: bad API version');
  const { channel, to } = message;
  if (channel !== 'messenger' && channel !== 'instagram') {
    throw new PermanentSendError(`the Messenger/Instagram sender cannot send a ${channel} message`);
  }
  if (to.kind !== channel) {
    throw new PermanentSendError(`a ${channel} reply needs a ${channel} identity, not a ${to.kind} one`);
  }
  const colon = to.value.indexOf(':');
  const account = to.value.slice(0, colon);
  const user = to.value.slice(colon + 1);
  if (colon < 0 || !NUMERIC_ID.test(account) || user.length === 0) {
    throw new PermanentSendError(`the ${channel} identity is not <account id>:<scoped user id>`);
  }
  const body = {
    recipient: { id: user },
    ...(message.tag === 'HUMAN_AGENT'
      ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
      : { messaging_type: 'RESPONSE' }),
    message: { ...messageObject(message), ...echoMetadata(message) },
  };
  return {
    method: 'POST',
    url: endpoint(channel, account, apiVersion, options.instagramApi ?? 'facebook-login', options.graphUrl),
    headers: { Authorization: `Bearer ${options.pageAccessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * Sends a Messenger or Instagram message with the Send API and maps the answer: throttling (4, 17, 32,
 * 613), Meta's transient errors (1, 2, 1200), 5xx and network failures are retryable; every other refusal
 * (outside the window, person unavailable, bad token...) is permanent with the code and what to do.
 * Errors never carry the token or the message text.
 */
export class MetaMessagingSender implements ChannelSender {
  readonly #options: MetaSendRequestOptions;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: MetaMessagingSenderOptions) {
    if (options.pageAccessToken.length === 0)
      throw new Error('MetaMessagingSender: pageAccessToken is empty');
    if (options.apiVersion !== undefined && !GRAPH_API_VERSION.test(options.apiVersion)) {
      throw new Error('MetaMessagingSender: apiVersion must look like v23.0');
    }
    this.#options = {
      pageAccessToken: options.pageAccessToken,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      ...(options.instagramApi ? { instagramApi: options.instagramApi } : {}),
      ...(options.graphUrl ? { graphUrl: options.graphUrl } : {}),
    };
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const request = buildMetaSendRequest(message, this.#options);
    const name = channelName(message);
    const { response, answer } = await callGraph(this.#fetch, request, {
      timeoutMs: this.#timeoutMs,
      product: name,
    });
    if (response.ok) {
      const accepted = MetaSendResponseSchema.safeParse(answer);
      if (accepted.success) return { providerMessageId: accepted.data.message_id };
      // Not retried: Meta may well have accepted it, and a retry could deliver it twice.
      throw new PermanentSendError(
        `${name} answered HTTP ${response.status} without a message id; not retried to avoid a duplicate`,
      );
    }
    throw sendError(message, response.status, answer);
  }
}

function endpoint(
  channel: 'messenger' | 'instagram',
  account: string,
  apiVersion: string,
  instagramApi: InstagramApi,
  graphUrl: string | undefined,
): string {
  const facebook = graphOrigin(graphUrl, 'https://graph.facebook.com');
  if (channel === 'messenger') return `${facebook}/${apiVersion}/${account}/messages`;
  return instagramApi === 'instagram-login'
    ? `${graphOrigin(graphUrl, 'https://graph.instagram.com')}/${apiVersion}/${account}/messages`
    : `${facebook}/${apiVersion}/me/messages`;
}

/** `{ text }` or `{ attachment }`: the Send API takes one or the other in a message. */
/**
 * Messenger hands a message's `metadata` back on its echo (`message_echoes`): our reply's key there
 * lets the resolver know the echo of our own send even when it overtakes the Send API's answer. Not
 * sent to Instagram, whose Send API documents no `metadata`.
 */
function echoMetadata(message: OutboundMessage): { metadata?: string } {
  if (message.channel !== 'messenger') return {};
  const key = replyKeyOf(message);
  return key ? { metadata: key } : {};
}

function messageObject(message: OutboundMessage): Record<string, unknown> {
  const name = channelName(message);
  const text = message.text || undefined;
  if (message.template) {
    throw new PermanentSendError(`templates are WhatsApp's: ${name} takes text or one attachment`);
  }
  if (message.attachments.length > 1) {
    throw new PermanentSendError(
      `${name} sends one attachment per message and this reply has ${message.attachments.length}: send one reply per attachment`,
    );
  }
  const [attachment] = message.attachments;
  if (attachment && text !== undefined) {
    throw new PermanentSendError(
      `${name} sends text and an attachment as separate messages: send the text and the attachment as two replies`,
    );
  }
  // `is_reusable` is left out (it defaults to false): we never send the same asset id again.
  if (attachment)
    return { attachment: { type: attachmentType(attachment), payload: { url: attachment.url } } };
  if (text !== undefined && message.choices?.length) {
    // Quick replies: `payload` comes back as `message.quick_reply.payload` when one is tapped.
    const quickReplies = message.choices.map(({ id, title }) => ({
      content_type: 'text',
      title,
      payload: id,
    }));
    return { text, quick_replies: quickReplies };
  }
  if (text !== undefined) return { text };
  throw new PermanentSendError('nothing to send: the reply has no text or attachment');
}

function attachmentType(attachment: OutboundAttachment): 'image' | 'audio' | 'video' | 'file' {
  return attachment.kind === 'document' ? 'file' : attachment.kind;
}

function channelName(message: OutboundMessage): string {
  return message.channel === 'instagram' ? 'Instagram' : 'Messenger';
}

interface CodeRule {
  retry: boolean;
  hint: string;
  /** Our token or its permissions are refused, not this customer (CredentialsRefusedError). */
  credentials?: true;
}

/**
 * Graph and Messenger Platform error codes (developers.facebook.com/docs/graph-api/guides/error-handling,
 * .../messenger-platform/error-codes). A known code decides whatever the HTTP status; `code/subcode`
 * entries win over the bare code.
 */
const CODES: Record<string, CodeRule> = {
  '1': { retry: true, hint: 'unknown API error, possibly at Meta' },
  '2': { retry: true, hint: 'an unexpected error at Meta' },
  '4': { retry: true, hint: 'the app reached its request limit' },
  '17': { retry: true, hint: 'the user reached its request limit' },
  '32': { retry: true, hint: 'the Page reached its request limit' },
  '613': { retry: true, hint: 'calls to the Send API exceeded the rate limit' },
  '1200': { retry: true, hint: 'a temporary send failure at Meta' },
  '10': {
    retry: false,
    hint: 'permission denied: the token needs pages_messaging (Messenger) or instagram_manage_messages (Instagram)',
    credentials: true,
  },
  '100': {
    retry: false,
    hint: 'a request parameter is invalid (recipient id, text length, attachment URL or type)',
  },
  '100/2018001': {
    retry: false,
    hint: 'no matching user: the scoped id does not belong to this Page or account',
  },
  '100/2018109': { retry: false, hint: 'the attachment is larger than allowed' },
  '190': {
    retry: false,
    hint: 'the access token has expired or was revoked: renew the Page access token',
    credentials: true,
  },
  '551': {
    retry: false,
    hint: "this person isn't available right now: they may have blocked messages from us or left",
  },
};

const WINDOW_SUBCODE = 2018278;

function ruleFor(message: OutboundMessage, code: number, subcode: number | undefined): CodeRule | undefined {
  if (code === 10 && subcode === WINDOW_SUBCODE) {
    return {
      retry: false,
      hint:
        message.tag === 'HUMAN_AGENT'
          ? 'more than 7 days since the customer last wrote: no reply is allowed until they write again'
          : 'more than 24 hours since the customer last wrote: reply with the HUMAN_AGENT tag (up to 7 days)',
    };
  }
  if (code >= 200 && code <= 299) {
    return {
      retry: false,
      hint: 'permission missing: the token needs pages_messaging (Messenger) or instagram_manage_messages (Instagram)',
      credentials: true,
    };
  }
  const rule = (subcode !== undefined ? CODES[`${code}/${subcode}`] : undefined) ?? CODES[String(code)];
  // A code 10 with a subcode we do not know may be about this conversation (as its window is), not our token.
  if (rule?.credentials && code === 10 && subcode !== undefined)
    return { retry: rule.retry, hint: rule.hint };
  return rule;
}

/** The SendError for a refused call, from the Graph error code if there is one, else the HTTP status. */
function sendError(
  message: OutboundMessage,
  status: number,
  answer: unknown,
): PermanentSendError | RetryableSendError {
  const name = channelName(message);
  const parsed = GraphErrorBodySchema.safeParse(answer);
  if (!parsed.success) {
    return isRetryableStatus(status)
      ? new RetryableSendError(`${name} answered HTTP ${status}; will retry`)
      : new PermanentSendError(`${name} refused the message with HTTP ${status} and no error code`);
  }
  const { code, error_subcode: subcode, fbtrace_id: trace } = parsed.data.error;
  const providerCode = subcode !== undefined ? `${code}/${subcode}` : String(code);
  const rule = ruleFor(message, code, subcode);
  const where = `error ${providerCode}, HTTP ${status}${trace ? `, fbtrace_id ${trace}` : ''}`;
  if (rule ? rule.retry : isRetryableStatus(status)) {
    return new RetryableSendError(
      `${name} is throttling or unavailable (${where}): ${rule?.hint ?? 'transient'}; will retry`,
    );
  }
  if (rule?.credentials) {
    return new CredentialsRefusedError(
      `${name} refused our credentials (${where}): ${rule.hint}`,
      providerCode,
    );
  }
  return new PermanentSendError(
    `${name} refused the message (${where}): ${rule?.hint ?? "see Meta's Graph API error reference"}`,
    providerCode,
  );
}
