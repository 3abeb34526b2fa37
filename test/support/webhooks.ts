import { readFileSync } from 'node:fs';
import type { SnsMessage } from '#shared/channels/ses/sns.js';
import * as payloads from '#shared/local/provider-payloads.js';
import { type MailFile, multipartBody } from './mail-files.js';

/**
 * Provider payloads as the providers send them, and signed requests to the local runtime's webhooks:
 * `npm run send`'s builders (shared/local/provider-payloads.ts) with the tests' numbers and keys.
 * The same payloads feed the normalisers directly where a test skips HTTP.
 */

export { type SignedRequest, signedMeta, signedSes, signedTwilio } from '#shared/local/provider-payloads.js';

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);
/** The PEM that SNS signatures of `snsNotification` verify against (SNS_TRUSTED_CERT_FILE). */
export const SNS_CERT_FILE = fixture('ses/test-signing-cert.pem').pathname;
const SNS_KEY = readFileSync(fixture('ses/test-signing-key.pem'), 'utf8');

export const WHATSAPP_PHONE_NUMBER_ID = '106540352242922';
export const IG_ACCOUNT = '17841400000000000';
export const SES_TOPIC = 'arn:aws:sns:us-east-1:123456789012:inbound';

/** The tests' WhatsApp business number. */
const WHATSAPP = {
  account: 'WABA',
  displayPhoneNumber: '15550783881',
  phoneNumberId: WHATSAPP_PHONE_NUMBER_ID,
};

/** A WhatsApp Cloud API webhook body with one change `value` (metadata filled in) of `field`. */
export function whatsappBody(value: Record<string, unknown>, field = 'messages'): unknown {
  return payloads.whatsappBody(WHATSAPP, value, field);
}

/** A WhatsApp Cloud API webhook with inbound text messages from one wa_id (all share its contact, Dana by default). */
export function whatsappText(options: {
  from: string;
  name?: string;
  /** `extra` is merged into the message (a context, a referral, another type...). */
  messages: Array<{ id: string; at: string; text: string; extra?: Record<string, unknown> }>;
}): unknown {
  return payloads.whatsappText(WHATSAPP, { ...options, name: options.name ?? 'Dana' });
}

/** An echo of a message the business sent from the WhatsApp Business app (smb_message_echoes). */
export function whatsappEcho(options: { to: string; id: string; at: string; text: string }): unknown {
  return whatsappBody(
    {
      message_echoes: [
        {
          from: '15550783881',
          to: options.to,
          id: options.id,
          timestamp: payloads.epochSeconds(options.at),
          type: 'text',
          text: { body: options.text },
        },
      ],
    },
    'smb_message_echoes',
  );
}

/** A WhatsApp status of one of our messages. */
export function whatsappStatus(options: {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: string;
  recipient: string;
  /** `biz_opaque_callback_data`: what the send carried (the outbox entry's `replyKey`). */
  callbackData?: string | undefined;
  /** A `failed` status's errors, as Meta writes them (`code`, `title`, `message`, `error_data`). */
  errors?: ReadonlyArray<Record<string, unknown>> | undefined;
}): unknown {
  return whatsappBody({
    statuses: [
      {
        id: options.id,
        status: options.status,
        timestamp: payloads.epochSeconds(options.at),
        recipient_id: options.recipient,
        ...(options.callbackData !== undefined ? { biz_opaque_callback_data: options.callbackData } : {}),
        ...(options.errors ? { errors: options.errors } : {}),
      },
    ],
  });
}

/** An Instagram DM to our account. */
export function instagramText(options: { sender: string; mid: string; at: string; text: string }): unknown {
  const time = Date.parse(options.at);
  return {
    object: 'instagram',
    entry: [
      {
        id: IG_ACCOUNT,
        time,
        messaging: [
          {
            sender: { id: options.sender },
            recipient: { id: IG_ACCOUNT },
            timestamp: time,
            message: { mid: options.mid, text: options.text },
          },
        ],
      },
    ],
  };
}

/**
 * A Messenger (`object: page`) or Instagram body with one event of `account`'s entry, at `ms`: in
 * `messaging[]`, or in `standby[]` (another app holds the thread). `event` gives its sides and content.
 */
export function metaEvent(options: {
  object: 'page' | 'instagram';
  account: string;
  ms: number;
  event: Record<string, unknown>;
  standby?: boolean;
}): unknown {
  const { object, account, ms, event, standby = false } = options;
  return {
    object,
    entry: [{ id: account, time: ms, [standby ? 'standby' : 'messaging']: [{ timestamp: ms, ...event }] }],
  };
}

/**
 * The first `messaging[]` event of a Meta fixture (`test/fixtures/meta/<name>.json`) without its sides
 * and time, for `metaEvent` to send between a test's own Page and person, at the test's time.
 */
export function metaFixtureEvent(name: string): Record<string, unknown> {
  const body = JSON.parse(readFileSync(fixture(`meta/${name}.json`), 'utf8')) as {
    entry: { messaging: Record<string, unknown>[] }[];
  };
  const {
    sender: _sender,
    recipient: _recipient,
    timestamp: _timestamp,
    ...event
  } = body.entry[0]?.messaging[0] ?? {};
  return event;
}

/** A Messenger body with one `messaging[]` message event, from the person or (`echo`) from the Page. */
export function messengerMessage(options: {
  page: string;
  psid: string;
  ms: number;
  message: Record<string, unknown>;
  echo?: boolean;
}): unknown {
  const { page, psid, ms, message, echo = false } = options;
  const [sender, recipient] = echo ? [page, psid] : [psid, page];
  return {
    object: 'page',
    entry: [
      {
        id: page,
        time: ms,
        messaging: [
          {
            sender: { id: sender },
            recipient: { id: recipient },
            timestamp: ms,
            message: echo ? { is_echo: true, ...message } : message,
          },
        ],
      },
    ],
  };
}

/** The form parameters of a Twilio inbound SMS to the tests' number. */
export function twilioSms(options: { sid: string; from: string; text: string }): Record<string, string> {
  return payloads.twilioSms(options);
}

/** An SES `Received` notification (SNS action, MIME inline) of a plain-text email to support@shop.example. */
export function sesReceived(
  options: Omit<payloads.ReceivedMail, 'recipient' | 'topicArn' | 'subject' | 'body'> & {
    /** Default `Where is my parcel?`. */
    subject?: string;
    /** Files sent with the text (a `multipart/mixed` mail, each part Base64; `inline` for a Content-ID image). */
    files?: MailFile[];
  },
): unknown {
  const { files, subject = 'Where is my parcel?', ...mail } = options;
  const body = files ? multipartBody(options.text, files) : undefined;
  return payloads.sesReceived({
    ...mail,
    recipient: 'support@shop.example',
    topicArn: SES_TOPIC,
    subject,
    body,
  });
}

/** The SNS Notification that carries an SES notification, signed with the test key. */
export function snsNotification(notification: unknown, options: { snsId: string; at: string }): SnsMessage {
  const signing = { topicArn: SES_TOPIC, privateKeyPem: SNS_KEY, certName: 'faults' };
  return payloads.snsNotification(notification, { ...options, ...signing });
}

/** Sends a signed request; the status and body of the answer. */
export async function deliver(request: payloads.SignedRequest): Promise<{ status: number; body: string }> {
  const res = await fetch(request.url, request.init);
  return { status: res.status, body: await res.text() };
}

/**
 * A poster of signed Twilio requests to a runtime: each must be taken (2xx), then handled (`idle`);
 * it gives the answer's body (the TwiML of a call).
 */
export function twilioPoster(authToken: string, idle: () => Promise<void>) {
  return async (url: string, params: Record<string, string>): Promise<string> => {
    const answer = await deliver(payloads.signedTwilio(url, params, authToken));
    // No vitest here: the benches (tsx) import this file too.
    if (answer.status >= 300) throw new Error(`${url} answered ${answer.status}: ${answer.body}`);
    await idle();
    return answer.body;
  };
}

/**
 * A texter of one customer's SMS to our number through a `twilioPoster`: `text(from, sid, body)` posts
 * Twilio's signed webhook for it, a text without media, to the runtime at `url()`.
 */
export function twilioTexter(
  post: ReturnType<typeof twilioPoster>,
  url: () => string,
  to: { account: string; business: string },
) {
  return (from: string, sid: string, body: string) =>
    post(
      `${url()}/webhooks/twilio/sms`,
      payloads.twilioSms({ sid, from, text: body, account: to.account, to: to.business }),
    );
}

/** Polls `check` until it answers true, at most `timeoutMs`; throws `message` if it never does. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
