import { createHmac, sign } from 'node:crypto';
import twilio from 'twilio';
import { type SnsMessage, snsStringToSign } from '../channels/ses/sns.js';
import { twilioSignedUrl } from '../channels/twilio/signature.js';

/**
 * Customer messages as the providers deliver them, and the signed requests that carry them to a
 * runtime's webhooks: `npm run send` posts them to `npm start` with its settings, the tests
 * (test/support/webhooks.ts) to their runtimes with their own numbers and keys. Never used on AWS.
 */

/** An ISO time as providers write seconds since the epoch (WhatsApp's `timestamp`). */
export const epochSeconds = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

/** The WhatsApp business account and number a webhook is for: `entry[].id` and the change's `metadata`. */
export interface WhatsappNumber {
  account: string;
  displayPhoneNumber: string;
  phoneNumberId: string;
}

/** A WhatsApp Cloud API webhook body with one change `value` (metadata filled in) of `field`. */
export function whatsappBody(
  number: WhatsappNumber,
  value: Record<string, unknown>,
  field = 'messages',
): unknown {
  const metadata = { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId };
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.account,
        changes: [{ field, value: { messaging_product: 'whatsapp', metadata, ...value } }],
      },
    ],
  };
}

/** A WhatsApp Cloud API webhook with inbound text messages from one wa_id (all share its contact). */
export function whatsappText(
  number: WhatsappNumber,
  options: {
    from: string;
    /** The contact's profile name. */
    name: string;
    /** `extra` is merged into the message (a context, a referral, another type...). */
    messages: ReadonlyArray<{ id: string; at: string; text: string; extra?: Record<string, unknown> }>;
  },
): unknown {
  return whatsappBody(number, {
    contacts: [{ profile: { name: options.name }, wa_id: options.from }],
    messages: options.messages.map((m) => ({
      from: options.from,
      id: m.id,
      timestamp: epochSeconds(m.at),
      type: 'text',
      text: { body: m.text },
      ...m.extra,
    })),
  });
}

/**
 * The form parameters of a Twilio inbound SMS, without media; to Twilio's test number `+15005550006`
 * of an all-zero account unless `to` and `account` say otherwise.
 */
export function twilioSms(options: {
  sid: string;
  from: string;
  text: string;
  account?: string | undefined;
  to?: string | undefined;
}): Record<string, string> {
  return {
    MessageSid: options.sid,
    AccountSid: options.account ?? `AC${'0'.repeat(32)}`,
    From: options.from,
    To: options.to ?? '+15005550006',
    Body: options.text,
    NumMedia: '0',
  };
}

/** An email as SES receives it: ours is `recipient`, the mail's other parts as named. */
export interface ReceivedMail {
  sesId: string;
  at: string;
  from: string;
  messageId: string;
  /** Our address: the receipt's recipient and the mail's first To. */
  recipient: string;
  /** The receipt rule's SNS topic. */
  topicArn: string;
  subject: string;
  text: string;
  inReplyTo?: string | undefined;
  /** A References header; the In-Reply-To's id when unset (as a mail client writes a reply). */
  references?: string | undefined;
  /** A Reply-To header (a contact form's customer). */
  replyTo?: string | undefined;
  /** More To addresses after ours. */
  to?: string | undefined;
  /** More header lines (`Auto-Submitted: auto-replied`, `List-Id: <…>`). */
  headers?: readonly string[] | undefined;
  /** The Content-Type line and the body after it (a multipart mail); plain `text` when unset. */
  body?: readonly string[] | undefined;
}

/** An SES `Received` notification (SNS action, MIME inline, every verdict PASS) of `mail`. */
export function sesReceived(mail: ReceivedMail): unknown {
  const references = mail.references ?? mail.inReplyTo;
  const mime = [
    `From: ${mail.from}`,
    ...(mail.replyTo ? [`Reply-To: ${mail.replyTo}`] : []),
    `To: ${mail.recipient}${mail.to ? `, ${mail.to}` : ''}`,
    `Subject: ${mail.subject}`,
    `Message-ID: ${mail.messageId}`,
    ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`] : []),
    ...(references ? [`References: ${references}`] : []),
    `Date: ${new Date(mail.at).toUTCString()}`,
    ...(mail.headers ?? []),
    'MIME-Version: 1.0',
    ...(mail.body ?? ['Content-Type: text/plain; charset=UTF-8', '', mail.text]),
    '',
  ].join('\r\n');
  const address = /<([^>]+)>/.exec(mail.from)?.[1] ?? mail.from;
  const pass = { status: 'PASS' };
  return {
    notificationType: 'Received',
    receipt: {
      timestamp: mail.at,
      recipients: [mail.recipient],
      ...{ spamVerdict: pass, virusVerdict: pass, spfVerdict: pass, dkimVerdict: pass, dmarcVerdict: pass },
      action: { type: 'SNS', topicArn: mail.topicArn, encoding: 'BASE64' },
    },
    mail: {
      timestamp: mail.at,
      source: address.toLowerCase(),
      messageId: mail.sesId,
      destination: [mail.recipient],
      headersTruncated: false,
      headers: [],
      commonHeaders: { from: [mail.from], to: [mail.recipient], subject: mail.subject },
    },
    content: Buffer.from(mime).toString('base64'),
  };
}

/**
 * The SNS Notification of `topicArn` that carries `notification`, signed with `privateKeyPem`; its
 * SigningCertURL names `certName` on the topic region's SNS host.
 */
export function snsNotification(
  notification: unknown,
  options: { snsId: string; at: string; topicArn: string; privateKeyPem: string; certName: string },
): SnsMessage {
  const region = options.topicArn.split(':')[3];
  const message = {
    Type: 'Notification',
    MessageId: options.snsId,
    TopicArn: options.topicArn,
    Message: JSON.stringify(notification),
    Timestamp: options.at,
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-${options.certName}.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe`,
  } as SnsMessage;
  const toSign = Buffer.from(snsStringToSign(message), 'utf8');
  message.Signature = sign('RSA-SHA256', toSign, options.privateKeyPem).toString('base64');
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

/**
 * A Twilio webhook request signed with the auth token over the form parameters and the URL Twilio
 * would have called (`twilioSignedUrl`: on `publicBaseUrl` when given, never with a fragment such as
 * a connection override `#rc=3`, which fetch never sends either: providers.md §1.1).
 */
export function signedTwilio(
  url: string,
  params: Record<string, string>,
  authToken: string,
  publicBaseUrl?: string | undefined,
): SignedRequest {
  const signedUrl = twilioSignedUrl(url, publicBaseUrl);
  return {
    url,
    init: {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, signedUrl, params),
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
