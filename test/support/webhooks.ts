import { createHmac, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { type SnsMessage, snsStringToSign } from '#shared/channels/ses/sns.js';
import { type MailFile, multipartBody } from './mail-files.js';

/**
 * Provider payloads as the providers send them, and signed requests to the local runtime's webhooks.
 * The same payloads feed the normalisers directly where a test skips HTTP.
 */

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);
/** The PEM that SNS signatures of `snsNotification` verify against (SNS_TRUSTED_CERT_FILE). */
export const SNS_CERT_FILE = fixture('ses/test-signing-cert.pem').pathname;
const SNS_KEY = readFileSync(fixture('ses/test-signing-key.pem'), 'utf8');

export const WHATSAPP_PHONE_NUMBER_ID = '106540352242922';
export const IG_ACCOUNT = '17841400000000000';
export const SES_TOPIC = 'arn:aws:sns:us-east-1:123456789012:inbound';

const seconds = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

/** A WhatsApp Cloud API webhook body with one change `value` (metadata filled in) of `field`. */
export function whatsappBody(value: Record<string, unknown>, field = 'messages'): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: WHATSAPP_PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** A WhatsApp Cloud API webhook with inbound text messages from one wa_id (all share its contact). */
export function whatsappText(options: {
  from: string;
  name?: string;
  /** `extra` is merged into the message (a context, a referral, another type...). */
  messages: Array<{ id: string; at: string; text: string; extra?: Record<string, unknown> }>;
}): unknown {
  return whatsappBody({
    contacts: [{ profile: { name: options.name ?? 'Dana' }, wa_id: options.from }],
    messages: options.messages.map((m) => ({
      from: options.from,
      id: m.id,
      timestamp: seconds(m.at),
      type: 'text',
      text: { body: m.text },
      ...m.extra,
    })),
  });
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
          timestamp: seconds(options.at),
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
        timestamp: seconds(options.at),
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

/** The form parameters of a Twilio inbound SMS. */
export function twilioSms(options: { sid: string; from: string; text: string }): Record<string, string> {
  return {
    MessageSid: options.sid,
    AccountSid: 'AC00000000000000000000000000000000',
    From: options.from,
    To: '+15005550006',
    Body: options.text,
    NumMedia: '0',
  };
}

/** An SES `Received` notification (SNS action, MIME inline) of a plain-text email. */
export function sesReceived(options: {
  sesId: string;
  at: string;
  from: string;
  messageId: string;
  inReplyTo?: string;
  /** A References header; the In-Reply-To's id when unset (as a mail client writes a reply). */
  references?: string;
  /** A Reply-To header (a contact form's customer). */
  replyTo?: string;
  /** Default `Where is my parcel?`. */
  subject?: string;
  /** More To addresses after ours (`support@shop.example` stays first). */
  to?: string;
  /** More header lines (`Auto-Submitted: auto-replied`, `List-Id: <…>`). */
  headers?: string[];
  text: string;
  /** Files sent with the text (a `multipart/mixed` mail, each part Base64; `inline` for a Content-ID image). */
  files?: MailFile[];
}): unknown {
  const subject = options.subject ?? 'Where is my parcel?';
  const body = options.files ? multipartBody(options.text, options.files) : undefined;
  const mime = [
    `From: ${options.from}`,
    ...(options.replyTo ? [`Reply-To: ${options.replyTo}`] : []),
    `To: support@shop.example${options.to ? `, ${options.to}` : ''}`,
    `Subject: ${subject}`,
    `Message-ID: ${options.messageId}`,
    ...(options.inReplyTo ? [`In-Reply-To: ${options.inReplyTo}`] : []),
    ...((options.references ?? options.inReplyTo)
      ? [`References: ${options.references ?? options.inReplyTo}`]
      : []),
    `Date: ${new Date(options.at).toUTCString()}`,
    ...(options.headers ?? []),
    'MIME-Version: 1.0',
    ...(body ?? ['Content-Type: text/plain; charset=UTF-8', '', options.text]),
    '',
  ].join('\r\n');
  const address = /<([^>]+)>/.exec(options.from)?.[1] ?? options.from;
  return {
    notificationType: 'Received',
    receipt: {
      timestamp: options.at,
      recipients: ['support@shop.example'],
      spamVerdict: { status: 'PASS' },
      virusVerdict: { status: 'PASS' },
      spfVerdict: { status: 'PASS' },
      dkimVerdict: { status: 'PASS' },
      dmarcVerdict: { status: 'PASS' },
      action: { type: 'SNS', topicArn: SES_TOPIC, encoding: 'BASE64' },
    },
    mail: {
      timestamp: options.at,
      source: address.toLowerCase(),
      messageId: options.sesId,
      destination: ['support@shop.example'],
      headersTruncated: false,
      headers: [],
      commonHeaders: { from: [options.from], to: ['support@shop.example'], subject },
    },
    content: Buffer.from(mime).toString('base64'),
  };
}

/** The SNS Notification that carries an SES notification, signed with the test key. */
export function snsNotification(notification: unknown, options: { snsId: string; at: string }): SnsMessage {
  const message = {
    Type: 'Notification',
    MessageId: options.snsId,
    TopicArn: SES_TOPIC,
    Message: JSON.stringify(notification),
    Timestamp: options.at,
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-faults.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  } as SnsMessage;
  message.Signature = sign('RSA-SHA256', Buffer.from(snsStringToSign(message), 'utf8'), SNS_KEY).toString(
    'base64',
  );
  return message;
}

/** A signed request to a webhook, ready to send (again and again, as a provider retries). */
export interface SignedRequest {
  url: string;
  init: { method: 'POST'; headers: Record<string, string>; body: string };
}

/** A WhatsApp or Messenger/Instagram webhook request signed with the Meta app secret. */
export function signedMeta(
  baseUrl: string,
  path: string,
  payload: unknown,
  appSecret: string,
): SignedRequest {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
  return {
    url: `${baseUrl}${path}`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    },
  };
}

/** A Twilio webhook request signed with the auth token over the URL and the form parameters. */
export function signedTwilio(url: string, params: Record<string, string>, authToken: string): SignedRequest {
  return {
    url,
    init: {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // Twilio signs the URL without its fragment (connection overrides such as `#rc=3`), and fetch
        // never sends one (providers.md §1.1).
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          authToken,
          url.split('#', 1)[0] ?? url,
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    },
  };
}

/** An SNS-over-HTTP delivery of an SES notification to `/webhooks/ses`. */
export function signedSes(baseUrl: string, message: SnsMessage): SignedRequest {
  return {
    url: `${baseUrl}/webhooks/ses`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body: JSON.stringify(message),
    },
  };
}

/** Sends a signed request; the status and body of the answer. */
export async function deliver(request: SignedRequest): Promise<{ status: number; body: string }> {
  const res = await fetch(request.url, request.init);
  return { status: res.status, body: await res.text() };
}

/**
 * A poster of signed Twilio requests to a runtime: each must be taken (2xx), then handled (`idle`);
 * it gives the answer's body (the TwiML of a call).
 */
export function twilioPoster(authToken: string, idle: () => Promise<void>) {
  return async (url: string, params: Record<string, string>): Promise<string> => {
    const answer = await deliver(signedTwilio(url, params, authToken));
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
    post(`${url()}/webhooks/twilio/sms`, {
      AccountSid: to.account,
      MessageSid: sid,
      From: from,
      To: to.business,
      Body: body,
      NumMedia: '0',
    });
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
