// Twilio's REST API called with the global fetch: `import twilio from 'twilio'` would load the whole
// client (~110 ms of cold start) for one POST.
import * as z from 'zod';
import type {
  ChannelSender,
  OutboundMessage,
  ProviderHttpRequest,
  SendResult,
} from '#shared/domain/outbound.js';
import { REPLY_KEY_PARAM, replyKeyOf } from '#shared/domain/reply-key.js';
import { retryAfterMs } from '#shared/domain/retry-after.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { twilioRefusal } from './error-codes.js';
import { TWILIO_RETRY_OVERRIDES } from './overrides.js';

const TWILIO_API = 'https://api.twilio.com/2010-04-01';
const WHATSAPP_PREFIX = /^whatsapp:/i;
/** Our own number as a Twilio sender: E.164, with or without the channel prefix. */
const E164_SENDER = /^(?:whatsapp:)?\+[1-9]\d{1,14}$/i;
/** One of our short codes: an SMS to it is answered from it (Twilio sends SMS from a two-way short code). */
const SHORT_CODE_SENDER = /^\d{3,8}$/;
/** A Content Template SID: a WhatsApp template is sent through Twilio by its SID, not by name. */
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
/** Provider text kept in an error message, at most. */
const MAX_PROVIDER_TEXT = 300;

/** What the Messages endpoint needs besides the message: credentials, our sender, the callback. */
export interface TwilioMessageRequestOptions {
  accountSid: string;
  authToken: string;
  /** Our sender for this message: an E.164 number, `whatsapp:` added for the WhatsApp channel. */
  from: string;
  /** Where Twilio posts this message's status changes; overrides the Messaging Service's URL. */
  statusCallback?: string | undefined;
}

/**
 * The Messages create call for one SMS/MMS (also the answer to a caller) or WhatsApp-through-Twilio
 * message (providers.md §1.5):
 * Basic auth with the Account SID and Auth Token, a form body, `To`/`From` prefixed `whatsapp:` on that
 * channel, one `MediaUrl` per attachment (the key repeated, not indexed; Twilio fetches them),
 * `StatusCallback` when given (with the reply's key as its `reply` parameter; the sender passes the key
 * it reports as echoed). A template whose name is a Content SID (`HX…`) is sent as `ContentSid` +
 * `ContentVariables` (`{"1": …}`), without Body or media. Throws PermanentSendError for what Twilio could
 * never send.
 */
export function buildTwilioMessageRequest(
  message: OutboundMessage,
  options: TwilioMessageRequestOptions,
  key: string | undefined = replyKeyOf(message),
): ProviderHttpRequest {
  const { channel } = message;
  // A reply to a caller (voice) is a text to their number.
  if (channel !== 'sms' && channel !== 'whatsapp' && channel !== 'voice') {
    throw new PermanentSendError(`Twilio does not send ${channel} messages`, 'unsupported_channel');
  }
  if (message.to.kind !== 'phone') {
    throw new PermanentSendError(
      `Twilio sends ${channel} to phone numbers only, not to a ${message.to.kind} identity`,
      'unsupported_recipient',
    );
  }
  const form = new URLSearchParams();
  form.append('To', address(channel, message.to.value));
  form.append('From', address(channel, options.from));
  if (message.template) {
    if (channel !== 'whatsapp' || !CONTENT_SID.test(message.template.name)) {
      throw new PermanentSendError(
        'a template is sent through Twilio by its Content SID (HX…): set the template name to it',
        'template_not_supported',
      );
    }
    form.append('ContentSid', message.template.name);
    if (message.template.parameters.length > 0) {
      const variables = Object.fromEntries(
        message.template.parameters.map((value, i) => [String(i + 1), value]),
      );
      form.append('ContentVariables', JSON.stringify(variables));
    }
  } else {
    if (!message.text && message.attachments.length === 0) {
      throw new PermanentSendError('the reply has neither text nor attachments', 'empty_message');
    }
    if (message.text) form.append('Body', message.text);
    for (const attachment of message.attachments) form.append('MediaUrl', attachment.url);
  }
  if (options.statusCallback) form.append('StatusCallback', statusCallbackFor(options.statusCallback, key));
  const credentials = Buffer.from(`${options.accountSid}:${options.authToken}`, 'utf8').toString('base64');
  return {
    method: 'POST',
    url: `${TWILIO_API}/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`,
    headers: {
      Authorization: `Basic ${credentials}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: form.toString(),
  };
}

/**
 * The message's own status-callback URL: ours with the reply's key as a query parameter, which Twilio
 * keeps on every callback and signs with the rest of the URL, and the retry overrides after it.
 */
function statusCallbackFor(callback: string, key: string | undefined): string {
  const url = key ? `${callback}${callback.includes('?') ? '&' : '?'}${REPLY_KEY_PARAM}=${key}` : callback;
  return `${url}${TWILIO_RETRY_OVERRIDES}`;
}

function address(channel: 'sms' | 'whatsapp' | 'voice', value: string): string {
  const bare = value.trim().replace(WHATSAPP_PREFIX, '');
  return channel === 'whatsapp' ? `whatsapp:${bare}` : bare;
}

/** The 201 body of Messages create: only the SID matters here; status callbacks refer to it. */
const TwilioMessageResourceSchema = z.looseObject({
  /** `SM…` (SMS, WhatsApp) or `MM…` (MMS), 34 characters. */
  sid: z.string().min(1).max(64),
  status: z.string().optional(),
});

/**
 * A Twilio error body. The 2010 API answers `{code, message, more_info, status}`; the newer product
 * APIs `{errors: [{code, message, infoUrl}]}`. `code` is absent on some errors (a bare 5xx).
 */
const TwilioErrorBodySchema = z.looseObject({
  code: z.coerce.number().int().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  more_info: z.string().optional().catch(undefined),
  errors: z
    .array(
      z.looseObject({
        code: z.coerce.number().int().optional().catch(undefined),
        message: z.string().optional().catch(undefined),
      }),
    )
    .optional()
    .catch(undefined),
});

/** Twilio's "Too many requests", sometimes sent with a 400 rather than a 429. */
const TOO_MANY_REQUESTS = 20429;
/** Twilio's "Authenticate": the Account SID or Auth Token is wrong. */
const AUTHENTICATE = 20003;

/** How TwilioSender reaches Twilio. */
export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  /** Our numbers: `sms` for SMS/MMS, `whatsapp` for WhatsApp through Twilio (E.164, prefix optional). */
  from: { sms?: string | undefined; whatsapp?: string | undefined };
  statusCallback?: string | undefined;
  /** Injected by tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Gives up on one call after this long (a retry may then send the message twice). Default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends SMS/MMS (voice: a text to the caller) and WhatsApp-through-Twilio messages. Replies go from the number the conversation came
 * in on when the message names one (`from`, E.164), else from the configured number of the channel.
 * Throttling, 5xx and network failures are retryable; any other refusal is permanent. Errors never
 * carry the Auth Token or the message text.
 */
export class TwilioSender implements ChannelSender {
  readonly #options: TwilioSenderOptions;
  readonly #fetch: typeof fetch;

  constructor(options: TwilioSenderOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const key = replyKeyOf(message);
    const request = buildTwilioMessageRequest(
      message,
      {
        accountSid: this.#options.accountSid,
        authToken: this.#options.authToken,
        from: this.#senderFor(message),
        statusCallback: this.#options.statusCallback,
      },
      key,
    );
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch (error) {
      // The cause is fetch's own error (DNS, reset, timeout): it never holds the request's headers.
      throw new RetryableSendError(`Twilio could not be reached: ${errorName(error)}`, { cause: error });
    }
    const body = parseJson(text);
    if (response.ok) {
      const resource = TwilioMessageResourceSchema.safeParse(body);
      // Twilio may well have queued the message: failing for good avoids texting the customer twice.
      if (!resource.success) {
        throw new PermanentSendError(
          `Twilio answered ${response.status} without a message sid; check the Twilio console before resending`,
          'invalid_response',
        );
      }
      const keyEchoed = this.#options.statusCallback !== undefined && key !== undefined;
      return { providerMessageId: resource.data.sid, ...(keyEchoed ? { keyEchoed } : {}) };
    }
    throw this.#refusal(response, body, message);
  }

  #senderFor(message: OutboundMessage): string {
    const from = message.from?.trim();
    if (from && E164_SENDER.test(from)) return from;
    if (from && message.channel !== 'whatsapp' && SHORT_CODE_SENDER.test(from)) return from;
    const configured = message.channel === 'whatsapp' ? this.#options.from.whatsapp : this.#options.from.sms;
    if (!configured) {
      throw new PermanentSendError(
        `no Twilio sender is configured for ${message.channel}`,
        'channel_not_configured',
      );
    }
    return configured;
  }

  #refusal(response: Response, body: unknown, message: OutboundMessage): Error {
    const { status } = response;
    const parsed = TwilioErrorBodySchema.safeParse(body ?? {});
    const error = parsed.success ? parsed.data : {};
    const code = error.code ?? error.errors?.[0]?.code;
    if (status === 429 || status >= 500 || code === TOO_MANY_REQUESTS) {
      return new RetryableSendError(
        `Twilio answered ${status}${code === undefined ? '' : ` (error ${code})`}; retry later`,
        { retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()) },
      );
    }
    const providerCode = code === undefined ? `http_${status}` : String(code);
    // What the agent reads next to the failed reply (the same words as a status callback's hint).
    const known = code === undefined ? undefined : twilioRefusal(code);
    // Our Account SID or Auth Token refused (20003, or a 401/403 with no code of this message's): retried.
    if (code === AUTHENTICATE || ((status === 401 || status === 403) && !known)) {
      return new CredentialsRefusedError(
        `Twilio refused our credentials (HTTP ${status}${code === undefined ? '' : `, error ${code}`}): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`,
        providerCode,
      );
    }
    if (known) return new PermanentSendError(known, providerCode);
    const said = error.message ?? error.errors?.[0]?.message;
    const detail = said ? `: ${this.#redact(said, message)}` : '';
    return new PermanentSendError(
      `Twilio refused the message (HTTP ${status}${code === undefined ? '' : `, error ${code}`})${detail}`,
      providerCode,
    );
  }

  /** Twilio's own words, without anything secret or personal we sent it. */
  #redact(text: string, message: OutboundMessage): string {
    const token = this.#options.authToken;
    let out = token ? text.replaceAll(token, '[redacted]') : text;
    if (message.text && message.text.trim().length >= 4) out = out.replaceAll(message.text, '[message text]');
    return out.length > MAX_PROVIDER_TEXT ? `${out.slice(0, MAX_PROVIDER_TEXT)}…` : out;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // An HTML error page from a proxy: the status alone decides.
    return undefined;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
