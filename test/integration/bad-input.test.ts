import { createHash, createHmac, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { type SnsMessage, snsStringToSign } from '#shared/channels/ses/sns.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { sesReceived, whatsappText } from '../support/webhooks.js';

/**
 * A corpus of hostile and broken requests against every route of a running local runtime. Each refused
 * request must get its exact status and JSON error code, leave the process answering /health, and
 * store nothing (the table is scanned before and after, and the queues must not have been written).
 */

const META_SECRET = 'bad-input-meta-secret';
const VERIFY_TOKEN = 'bad-input-verify-token';
const TWILIO_TOKEN = 'bad-input-twilio-token';
const AGENT = agentToken('bad-input-agent-token');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:inbound';
const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);
const SNS_KEY = readFileSync(fixture('ses/test-signing-key.pem'), 'utf8');
const OTHER_KEY = readFileSync(fixture('ses/other-signing-key.pem'), 'utf8');
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bad-input.pem';
const FIVE_MB = 5 * 1024 * 1024;
const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const SCRIPT = `<script>alert("x")</script><img src=x onerror=alert(1)> '; DROP TABLE customers; -- \u2028" OR 1=1 \\ ${'$'}{7*7} {{7*7}}`;
/** Mail bodies are lines of text: the U+2028 is not kept there. */
const EMAIL_SCRIPT = SCRIPT.replace('\u2028', '');

interface Spec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
}

interface RefusedCase {
  name: string;
  spec: (url: string) => Spec;
  status: number;
  /** The JSON error code, when the answer is a JSON error. */
  code?: string;
}

// ---------------------------------------------------------------------------------------------------
// Signing, as each provider does

const hmacHex = (algorithm: string, secret: string, body: string | Uint8Array) =>
  createHmac(algorithm, secret).update(body).digest('hex');
const metaSignature = (body: string | Uint8Array, secret = META_SECRET) =>
  `sha256=${hmacHex('sha256', secret, body)}`;

const metaPost = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Spec => ({
  path,
  headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body), ...headers },
  body,
});

const _nowSeconds = () => String(Math.floor(Date.now() / 1000));

function whatsappBody(options: {
  from: string;
  id: string;
  text: string;
  name?: string;
  extra?: Record<string, unknown>;
}) {
  const { from, id, text, extra } = options;
  return JSON.stringify(
    whatsappText({
      from,
      name: options.name ?? 'Bad Input',
      messages: [{ id, at: new Date().toISOString(), text, ...(extra ? { extra } : {}) }],
    }),
  );
}

function messengerBody(options: { sender: string; mid: string; text: string; object?: string }) {
  return JSON.stringify({
    object: options.object ?? 'page',
    entry: [
      {
        id: '682498302938465',
        time: Date.now(),
        messaging: [
          {
            sender: { id: options.sender },
            recipient: { id: '682498302938465' },
            timestamp: Date.now(),
            message: { mid: options.mid, text: options.text },
          },
        ],
      },
    ],
  });
}

const FORM = 'application/x-www-form-urlencoded';

function twilioPost(
  url: string,
  path: string,
  params: Record<string, string>,
  options: { token?: string; signedUrl?: string; signedParams?: Record<string, string>; type?: string } = {},
): Spec {
  const signature = twilio.getExpectedTwilioSignature(
    options.token ?? TWILIO_TOKEN,
    options.signedUrl ?? `${url}${path}`,
    options.signedParams ?? params,
  );
  return {
    path,
    headers: { 'content-type': options.type ?? FORM, 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  };
}

/** Twilio's string to sign: the URL, then each parameter name and value, sorted by name. */
function twilioData(url: string, params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .reduce((data, key) => data + key + params[key], url);
}

const SMS = {
  MessageSid: 'SMbad00000000000000000000000000001',
  AccountSid: 'ACbad000000000000000000000000000000',
  From: '+14155550199',
  To: '+15005550006',
  Body: 'a message that must not be stored',
  NumMedia: '0',
};
const STATUS = {
  MessageSid: 'SMbad00000000000000000000000000002',
  AccountSid: 'ACbad000000000000000000000000000000',
  From: '+15005550006',
  To: '+14155550199',
  MessageStatus: 'delivered',
};
const CALL = {
  CallSid: 'CAbad00000000000000000000000000001',
  AccountSid: 'ACbad000000000000000000000000000000',
  From: '+14155550199',
  To: '+15005550006',
  CallStatus: 'ringing',
  Direction: 'inbound',
};
const RECORDING = {
  ...CALL,
  CallStatus: 'completed',
  RecordingSid: 'REbad00000000000000000000000000001',
  RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/REbad00000000000000000000000000001',
  RecordingStatus: 'completed',
  RecordingDuration: '3',
};
const TRANSCRIPTION = {
  ...CALL,
  CallStatus: 'completed',
  TranscriptionSid: 'TRbad00000000000000000000000000001',
  TranscriptionStatus: 'completed',
  TranscriptionText: 'a transcript that must not be stored',
};

/** Every Twilio route and a genuine request for it. */
const TWILIO_ROUTES: [string, Record<string, string>][] = [
  ['/webhooks/twilio/sms', SMS],
  ['/webhooks/twilio/status', STATUS],
  ['/webhooks/twilio/voice', CALL],
  ['/webhooks/twilio/voice/recording', RECORDING],
  ['/webhooks/twilio/voice/transcription', TRANSCRIPTION],
  ['/webhooks/twilio/voice/status', { ...CALL, CallStatus: 'completed', CallDuration: '9' }],
  ['/webhooks/twilio/voice/after-record', RECORDING],
];

function sesNotification(sesId: string, text: string, from = 'bad.input@example.com') {
  return JSON.stringify(
    sesReceived({
      sesId,
      at: new Date().toISOString(),
      from: `Bad Input <${from}>`,
      messageId: `<${sesId}@example.com>`,
      subject: 'bad input',
      text,
    }),
  );
}

interface SnsOptions {
  type?: 'Notification' | 'SubscriptionConfirmation';
  message?: string;
  topic?: string;
  certUrl?: string;
  subscribeUrl?: string;
  version?: '1' | '2';
  key?: string;
  /** Sign with this algorithm whatever the version says. */
  algorithm?: string;
  /** Change the message after signing. */
  tamper?: (m: Record<string, unknown>) => void;
  header?: string | null;
}

function snsPost(options: SnsOptions = {}): Spec {
  const type = options.type ?? 'Notification';
  const version = options.version ?? '2';
  const common = {
    MessageId: `sns-${Math.random().toString(36).slice(2)}`,
    TopicArn: options.topic ?? TOPIC,
    Message: options.message ?? sesNotification('ses-refused', 'an email that must not be stored'),
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    Signature: '',
    SigningCertURL: options.certUrl ?? CERT_URL,
  };
  const message = (
    type === 'Notification'
      ? { Type: type, ...common, UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe' }
      : {
          Type: type,
          ...common,
          Token: 'token',
          SubscribeURL:
            options.subscribeUrl ?? 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
        }
  ) as SnsMessage;
  const algorithm = options.algorithm ?? (version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  message.Signature = sign(
    algorithm,
    Buffer.from(snsStringToSign(message), 'utf8'),
    options.key ?? SNS_KEY,
  ).toString('base64');
  const body = message as unknown as Record<string, unknown>;
  options.tamper?.(body);
  const header = options.header === undefined ? type : options.header;
  return {
    path: '/webhooks/ses',
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      ...(header === null ? {} : { 'x-amz-sns-message-type': header }),
    },
    body: JSON.stringify(body),
  };
}

const sesRaw = (body: string | Uint8Array, type = 'Notification'): Spec => ({
  path: '/webhooks/ses',
  headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type },
  body,
});

const agent = (
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
) =>
  ({
    method,
    path,
    headers: { authorization: `Bearer ${AGENT}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  }) satisfies Spec;

const INVALID_UTF8 = (prefix: string, suffix: string) =>
  new Uint8Array([...Buffer.from(prefix), 0xff, 0xfe, 0xc3, 0x28, ...Buffer.from(suffix)]);

// ---------------------------------------------------------------------------------------------------
// The corpus

const VALID_WHATSAPP = whatsappBody({ from: '14155550199', id: 'wamid.REFUSED', text: 'must not be stored' });
const VALID_MESSENGER = messengerBody({ sender: '5550199', mid: 'm_REFUSED', text: 'must not be stored' });
const UNAUTHORIZED = { status: 401, code: 'unauthorized' };
const FORBIDDEN = { status: 403, code: 'forbidden' };
const INVALID = { status: 400, code: 'invalid_request' };
const TOO_LARGE = { status: 413, code: 'payload_too_large' };
const NOT_FOUND = { status: 404, code: 'not_found' };
const NOT_JSON = { status: 415, code: 'unsupported_media_type' };

const metaRoutes: [string, string][] = [
  ['/webhooks/whatsapp', VALID_WHATSAPP],
  ['/webhooks/meta', VALID_MESSENGER],
];

const metaCases: RefusedCase[] = metaRoutes.flatMap(([path, valid]) => [
  {
    name: `${path}: no signature`,
    spec: () => ({ path, headers: { 'content-type': 'application/json' }, body: valid }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: signed with another secret`,
    spec: () => metaPost(path, valid, { 'x-hub-signature-256': metaSignature(valid, 'not-the-secret') }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: sha1= with the right secret`,
    spec: () =>
      metaPost(path, valid, { 'x-hub-signature-256': `sha1=${hmacHex('sha1', META_SECRET, valid)}` }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: X-Hub-Signature (sha1) only`,
    spec: () => ({
      path,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': `sha1=${hmacHex('sha1', META_SECRET, valid)}`,
      },
      body: valid,
    }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: sha256= over another body`,
    spec: () => metaPost(path, valid, { 'x-hub-signature-256': metaSignature(`${valid} `) }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: truncated signature`,
    spec: () => metaPost(path, valid, { 'x-hub-signature-256': metaSignature(valid).slice(0, 40) }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: empty signature`,
    spec: () => metaPost(path, valid, { 'x-hub-signature-256': '' }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: unsigned malformed JSON`,
    spec: () => ({ path, headers: { 'content-type': 'application/json' }, body: '{"object":' }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: unsigned deep nesting`,
    spec: () => ({ path, headers: { 'content-type': 'application/json' }, body: DEEP }),
    ...UNAUTHORIZED,
  },
  {
    name: `${path}: signed malformed JSON`,
    spec: () => metaPost(path, '{"object":"page","entry":[{'),
    ...INVALID,
  },
  { name: `${path}: signed empty body`, spec: () => metaPost(path, ''), ...INVALID },
  {
    name: `${path}: signed invalid UTF-8`,
    spec: () => metaPost(path, INVALID_UTF8('{"object":"page","x":"', '"}')),
    ...INVALID,
  },
  {
    name: `${path}: signed form body`,
    spec: () => metaPost(path, 'object=page&entry=1', { 'content-type': FORM }),
    ...INVALID,
  },
  { name: `${path}: signed JSON null`, spec: () => metaPost(path, 'null'), ...INVALID },
  { name: `${path}: signed JSON array`, spec: () => metaPost(path, '[]'), ...INVALID },
  { name: `${path}: signed JSON string`, spec: () => metaPost(path, '"page"'), ...INVALID },
  { name: `${path}: signed 10k nested arrays`, spec: () => metaPost(path, DEEP), ...INVALID },
  {
    name: `${path}: signed object "user"`,
    spec: () => metaPost(path, '{"object":"user","entry":[]}'),
    ...INVALID,
  },
  {
    name: `${path}: signed object "__proto__"`,
    spec: () => metaPost(path, '{"object":"__proto__","entry":[]}'),
    ...INVALID,
  },
  { name: `${path}: signed without object`, spec: () => metaPost(path, '{"entry":[]}'), ...INVALID },
  // The provider's object without an `entry` list is not a body Meta sends: 400, and Meta may retry.
  {
    name: `${path}: signed without entry`,
    spec: () => metaPost(path, JSON.stringify({ object: JSON.parse(valid).object })),
    ...INVALID,
  },
  {
    name: `${path}: signed entry that is not an array`,
    spec: () => metaPost(path, JSON.stringify({ object: JSON.parse(valid).object, entry: {} })),
    ...INVALID,
  },
  // Meta batches at most 1,000 updates: a larger batch is refused before any of it is read.
  {
    name: `${path}: signed batch of 1,001 entries`,
    spec: () =>
      metaPost(path, JSON.stringify({ ...JSON.parse(valid), entry: Array(1001).fill({ id: '1' }) })),
    ...INVALID,
  },
  { name: `${path}: 5 MB body`, spec: () => metaPost(path, 'x'.repeat(FIVE_MB)), ...TOO_LARGE },
  {
    name: `${path}: 5 MB body, chunked`,
    spec: () => ({ ...metaPost(path, 'x'.repeat(FIVE_MB)), chunked: true }),
    ...TOO_LARGE,
  },
  {
    name: `GET ${path}: wrong verify token`,
    spec: () => ({
      method: 'GET',
      path: `${path}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=123`,
    }),
    status: 403,
  },
  {
    name: `GET ${path}: markup challenge`,
    spec: () => ({
      method: 'GET',
      path: `${path}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=%3Cscript%3E`,
    }),
    status: 403,
  },
  {
    name: `GET ${path}: no mode`,
    spec: () => ({ method: 'GET', path: `${path}?hub.verify_token=${VERIFY_TOKEN}&hub.challenge=123` }),
    status: 403,
  },
  { name: `PUT ${path}`, spec: () => ({ ...metaPost(path, valid), method: 'PUT' }), ...NOT_FOUND },
]);
/** A genuine body with a field 10k levels deep inside its one message. */
const deepInside = (body: string, after: string) => body.replace(after, `${after}"surprise":${DEEP},`);
metaCases.push(
  {
    name: '/webhooks/whatsapp: signed message with a field nested 10k deep',
    spec: () => metaPost('/webhooks/whatsapp', deepInside(VALID_WHATSAPP, '"type":"text",')),
    ...INVALID,
  },
  {
    name: '/webhooks/meta: signed event with a field nested 10k deep',
    spec: () => metaPost('/webhooks/meta', deepInside(VALID_MESSENGER, '"message":{')),
    ...INVALID,
  },
  {
    name: '/webhooks/whatsapp: signed object "page"',
    spec: () => metaPost('/webhooks/whatsapp', VALID_MESSENGER),
    ...INVALID,
  },
  {
    name: '/webhooks/meta: signed object "whatsapp_business_account"',
    spec: () => metaPost('/webhooks/meta', VALID_WHATSAPP),
    ...INVALID,
  },
);

const twilioCases: RefusedCase[] = TWILIO_ROUTES.flatMap(([path, params]) => [
  {
    name: `${path}: no signature`,
    spec: () => ({ path, headers: { 'content-type': FORM }, body: new URLSearchParams(params).toString() }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: signed with another token`,
    spec: (url) => twilioPost(url, path, params, { token: 'not-the-token' }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: signed over other parameters`,
    spec: (url) => twilioPost(url, path, params, { signedParams: { ...params, To: '+15005550007' } }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: signed for another route`,
    spec: (url) => twilioPost(url, path, params, { signedUrl: `${url}/webhooks/twilio/other` }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: HMAC-SHA256 instead of SHA1`,
    spec: (url) => ({
      ...twilioPost(url, path, params),
      headers: {
        'content-type': FORM,
        'x-twilio-signature': createHmac('sha256', TWILIO_TOKEN)
          .update(twilioData(`${url}${path}`, params))
          .digest('base64'),
      },
    }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: sha1= prefixed signature`,
    spec: (url) => ({
      ...twilioPost(url, path, params),
      headers: {
        'content-type': FORM,
        'x-twilio-signature': `sha1=${twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${url}${path}`, params)}`,
      },
    }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: form signed but sent as text/plain`,
    spec: (url) => twilioPost(url, path, params, { type: 'text/plain' }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: unsigned JSON`,
    spec: () => ({ path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: unsigned deep nesting`,
    spec: () => ({ path, headers: { 'content-type': 'application/json' }, body: DEEP }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: unsigned invalid UTF-8`,
    spec: () => ({ path, headers: { 'content-type': FORM }, body: INVALID_UTF8('From=', '&Body=x') }),
    ...FORBIDDEN,
  },
  {
    name: `${path}: JSON signed through bodySHA256 (not a form)`,
    spec: (url) => {
      const body = JSON.stringify(params);
      // twilio-node checks a JSON body through the hex SHA-256 of its bytes in the signed URL.
      const query = `?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
      return {
        path: `${path}${query}`,
        headers: {
          'content-type': 'application/json',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${url}${path}${query}`, {}),
        },
        body,
      };
    },
    ...INVALID,
  },
  {
    name: `${path}: 5 MB body`,
    spec: (url) => twilioPost(url, path, { ...params, Body: 'x'.repeat(FIVE_MB) }),
    ...TOO_LARGE,
  },
  { name: `GET ${path}`, spec: () => ({ method: 'GET', path }), ...NOT_FOUND },
]);
twilioCases.push(
  // The incoming call and /after-record answer TwiML whatever the form says (see "accepted oddities").
  ...TWILIO_ROUTES.slice(0, -1)
    .filter(([path]) => path !== '/webhooks/twilio/voice')
    .map(([path]) => ({
      name: `${path}: signed form of nothing Twilio sends`,
      spec: (url: string) => twilioPost(url, path, { Foo: 'bar' }),
      ...INVALID,
    })),
  {
    name: '/webhooks/twilio/sms: 5 MB body, chunked',
    spec: (url) => ({
      ...twilioPost(url, '/webhooks/twilio/sms', { ...SMS, Body: 'x'.repeat(FIVE_MB) }),
      chunked: true,
    }),
    ...TOO_LARGE,
  },
  {
    name: '/webhooks/twilio/status: a status Twilio does not document',
    spec: (url) => twilioPost(url, '/webhooks/twilio/status', { ...STATUS, MessageStatus: 'exploded' }),
    ...INVALID,
  },
  {
    name: '/webhooks/twilio/voice/status: no CallStatus',
    spec: (url) =>
      twilioPost(url, '/webhooks/twilio/voice/status', {
        CallSid: CALL.CallSid,
        From: CALL.From,
        To: CALL.To,
      }),
    ...INVALID,
  },
  {
    name: '/webhooks/twilio/sms: From is not an address',
    spec: (url) => twilioPost(url, '/webhooks/twilio/sms', { ...SMS, From: "' OR 1=1 --" }),
    ...INVALID,
  },
  {
    name: '/webhooks/twilio/nope',
    spec: (url) => twilioPost(url, '/webhooks/twilio/nope', SMS),
    ...NOT_FOUND,
  },
  // Twilio's forms are small: a body over its route's limit (64 KiB), far under MAX_BODY_BYTES, is 413.
  {
    name: '/webhooks/twilio/sms: 100 KB body, over the Twilio limit',
    spec: (url) => twilioPost(url, '/webhooks/twilio/sms', { ...SMS, Body: 'x'.repeat(100_000) }),
    ...TOO_LARGE,
  },
  // More parameters than Twilio ever sends, signed: refused (400) once the signature is known good.
  {
    name: '/webhooks/twilio/sms: 1,000 form parameters',
    spec: (url) =>
      twilioPost(url, '/webhooks/twilio/sms', {
        ...SMS,
        ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`P${i}`, 'x'])),
      }),
    ...INVALID,
  },
);

const sesCases: RefusedCase[] = [
  // An SNS message is at most 256 KB: a body over the route's limit (512 KiB) is 413 before it is read.
  {
    name: 'a 1 MB body, over the SNS limit',
    spec: () => snsPost({ message: sesNotification('ses-huge', 'x'.repeat(1_000_000)) }),
    ...TOO_LARGE,
  },
  { name: 'signed with another key', spec: () => snsPost({ key: OTHER_KEY }), ...FORBIDDEN },
  {
    name: 'signature v1 made with SHA-256',
    spec: () => snsPost({ version: '1', algorithm: 'RSA-SHA256' }),
    ...FORBIDDEN,
  },
  {
    name: 'signature v2 made with SHA-1',
    spec: () => snsPost({ version: '2', algorithm: 'RSA-SHA1' }),
    ...FORBIDDEN,
  },
  {
    name: 'Message changed after signing',
    spec: () =>
      snsPost({
        tamper: (m) => {
          m.Message = sesNotification('ses-tampered', 'changed');
        },
      }),
    ...FORBIDDEN,
  },
  {
    name: 'TopicArn changed after signing',
    spec: () =>
      snsPost({
        tamper: (m) => {
          m.TopicArn = `${TOPIC}-2`;
        },
      }),
    ...FORBIDDEN,
  },
  {
    name: 'no signature',
    spec: () =>
      snsPost({
        tamper: (m) => {
          m.Signature = '';
        },
      }),
    ...INVALID,
  },
  {
    name: 'signature not base64',
    spec: () =>
      snsPost({
        tamper: (m) => {
          m.Signature = '!!!not base64!!!';
        },
      }),
    ...FORBIDDEN,
  },
  {
    name: 'a topic that is not ours',
    spec: () => snsPost({ topic: 'arn:aws:sns:us-east-1:666666666666:attacker' }),
    ...FORBIDDEN,
  },
  {
    name: 'http SigningCertURL',
    spec: () => snsPost({ certUrl: 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem' }),
    ...FORBIDDEN,
  },
  {
    name: 'look-alike host (suffix)',
    spec: () =>
      snsPost({
        certUrl: 'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem',
      }),
    ...FORBIDDEN,
  },
  {
    name: 'look-alike host (prefix)',
    spec: () =>
      snsPost({ certUrl: 'https://evilsns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem' }),
    ...FORBIDDEN,
  },
  {
    name: 'look-alike host (dash)',
    spec: () => snsPost({ certUrl: 'https://sns-us-east-1.amazonaws.com/SimpleNotificationService-x.pem' }),
    ...FORBIDDEN,
  },
  {
    name: 'look-alike host (credentials)',
    spec: () =>
      snsPost({
        certUrl: 'https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-x.pem',
      }),
    ...FORBIDDEN,
  },
  {
    name: 'SigningCertURL on another port',
    spec: () =>
      snsPost({ certUrl: 'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-x.pem' }),
    ...FORBIDDEN,
  },
  {
    name: 'SigningCertURL not a .pem',
    spec: () => snsPost({ certUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Anything' }),
    ...FORBIDDEN,
  },
  {
    name: "SigningCertURL in another region than the TopicArn's",
    spec: () =>
      snsPost({ certUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-bad-input.pem' }),
    ...FORBIDDEN,
  },
  {
    name: 'SubscribeURL over http',
    spec: () =>
      snsPost({
        type: 'SubscriptionConfirmation',
        subscribeUrl: 'http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
      }),
    ...FORBIDDEN,
  },
  {
    name: 'SubscribeURL on a look-alike host',
    spec: () =>
      snsPost({
        type: 'SubscriptionConfirmation',
        subscribeUrl: 'https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription',
      }),
    ...FORBIDDEN,
  },
  { name: 'no x-amz-sns-message-type', spec: () => snsPost({ header: null }), ...INVALID },
  {
    name: 'x-amz-sns-message-type that does not match the body',
    spec: () => snsPost({ header: 'SubscriptionConfirmation' }),
    ...INVALID,
  },
  { name: 'unknown x-amz-sns-message-type', spec: () => snsPost({ header: 'Surprise' }), ...INVALID },
  {
    name: 'SignatureVersion 3',
    spec: () =>
      snsPost({
        tamper: (m) => {
          m.SignatureVersion = '3';
        },
      }),
    ...INVALID,
  },
  { name: 'malformed JSON', spec: () => sesRaw('{"Type":"Notification",'), ...INVALID },
  { name: 'empty body', spec: () => sesRaw(''), ...INVALID },
  {
    name: 'invalid UTF-8',
    spec: () => sesRaw(INVALID_UTF8('{"Type":"Notification","Message":"', '"}')),
    ...INVALID,
  },
  {
    name: 'form body',
    spec: () => ({
      ...sesRaw('Type=Notification&Message=x'),
      headers: { 'content-type': FORM, 'x-amz-sns-message-type': 'Notification' },
    }),
    ...INVALID,
  },
  { name: '10k nested arrays', spec: () => sesRaw(DEEP), ...INVALID },
  { name: 'JSON array', spec: () => sesRaw('[]'), ...INVALID },
  { name: 'signed Message that is not JSON', spec: () => snsPost({ message: 'hello' }), ...INVALID },
  {
    name: 'signed Message that is not an SES notification',
    spec: () => snsPost({ message: '{"object":"page"}' }),
    ...INVALID,
  },
  { name: 'signed Message of 10k nested arrays', spec: () => snsPost({ message: DEEP }), ...INVALID },
  {
    name: 'signed notification with a field nested 10k deep',
    spec: () => snsPost({ message: deepInside(sesNotification('ses-deep', 'deep'), '"mail":{') }),
    ...INVALID,
  },
  { name: '5 MB body', spec: () => sesRaw('x'.repeat(FIVE_MB)), ...TOO_LARGE },
  {
    name: '5 MB body, chunked',
    spec: () => ({ ...sesRaw('x'.repeat(FIVE_MB)), chunked: true }),
    ...TOO_LARGE,
  },
  { name: 'GET', spec: () => ({ method: 'GET', path: '/webhooks/ses' }), ...NOT_FOUND },
].map((c) => ({ ...c, name: `/webhooks/ses: ${c.name}` }));

const LONG_ID = 'a'.repeat(65);
const HUGE_ID = 'a'.repeat(8_000);
const TRAVERSAL = '..%2F..%2F..%2Fetc%2Fpasswd';
const ID_ROUTES: [string, (id: string) => string, string?][] = [
  ['GET', (id) => `/api/customers/${id}`],
  ['GET', (id) => `/api/customers/${id}/timeline`],
  ['GET', (id) => `/api/customers/${id}/suggestions`],
  ['GET', (id) => `/api/customers/${id}/export`],
  ['DELETE', (id) => `/api/customers/${id}`],
  ['POST', (id) => `/api/customers/${id}/merge`, '{"customerId":"c1"}'],
  ['POST', (id) => `/api/customers/${id}/unmerge`, '{"customerId":"c1"}'],
  ['POST', (id) => `/api/customers/${id}/suggestions/c1/accept`],
  ['POST', (id) => `/api/customers/c1/suggestions/${id}/dismiss`],
  ['POST', (id) => `/api/conversations/${id}/replies`, '{"text":"hi"}'],
  ['POST', (id) => `/api/conversations/${id}/notes`, '{"text":"hi"}'],
  ['POST', (id) => `/api/conversations/${id}/assign`, '{"agentId":"me"}'],
  ['POST', (id) => `/api/conversations/${id}/resolve`],
  ['POST', (id) => `/api/conversations/${id}/reopen`],
];

const agentCases: RefusedCase[] = [
  ...ID_ROUTES.flatMap(([method, path, body]) => [
    {
      name: `${method} ${path(':id')}: no token`,
      spec: () => ({ method, path: path('c1'), ...(body ? { body } : {}) }),
      ...UNAUTHORIZED,
    },
    {
      name: `${method} ${path(':id')}: wrong token`,
      spec: () => ({ ...agent(method, path('c1'), body), headers: { authorization: 'Bearer nope' } }),
      ...UNAUTHORIZED,
    },
    {
      name: `${method} ${path(':id')}: basic auth`,
      spec: () => ({
        ...agent(method, path('c1'), body),
        headers: { authorization: `Basic ${Buffer.from(`agent:${AGENT}`).toString('base64')}` },
      }),
      ...UNAUTHORIZED,
    },
    {
      name: `${method} ${path(':id')}: token with a suffix`,
      spec: () => ({ ...agent(method, path('c1'), body), headers: { authorization: `Bearer ${AGENT} x` } }),
      ...UNAUTHORIZED,
    },
    {
      name: `${method} ${path(':id')}: ..%2F traversal`,
      spec: () => agent(method, path(TRAVERSAL), body),
      ...INVALID,
    },
    {
      name: `${method} ${path(':id')}: 65-character id`,
      spec: () => agent(method, path(LONG_ID), body),
      ...INVALID,
    },
    {
      name: `${method} ${path(':id')}: 8,000-character id`,
      spec: () => agent(method, path(HUGE_ID), body),
      ...INVALID,
    },
    {
      name: `${method} ${path(':id')}: quote and space in the id`,
      spec: () => agent(method, path("c1'%20OR%20'1'%3D'1"), body),
      ...INVALID,
    },
  ]),
  ...['/replies', '/notes', '/assign'].flatMap((route) => [
    {
      name: `POST ${route}: malformed JSON`,
      spec: () => agent('POST', `/api/conversations/c1${route}`, '{"text":'),
      ...INVALID,
    },
    {
      name: `POST ${route}: empty body`,
      spec: () => agent('POST', `/api/conversations/c1${route}`, ''),
      ...INVALID,
    },
    {
      name: `POST ${route}: form body`,
      spec: () => agent('POST', `/api/conversations/c1${route}`, 'text=hi', { 'content-type': FORM }),
      ...NOT_JSON,
    },
    {
      name: `POST ${route}: JSON array`,
      spec: () => agent('POST', `/api/conversations/c1${route}`, '[]'),
      ...INVALID,
    },
    {
      name: `POST ${route}: 10k nested arrays`,
      spec: () => agent('POST', `/api/conversations/c1${route}`, DEEP),
      ...INVALID,
    },
    {
      name: `POST ${route}: invalid UTF-8`,
      spec: () =>
        agent('POST', `/api/conversations/c1${route}`, INVALID_UTF8('{"text":"', '","agentId":"me"}')),
      ...INVALID,
    },
    {
      name: `POST ${route}: 5 MB body`,
      spec: () =>
        agent('POST', `/api/conversations/c1${route}`, JSON.stringify({ text: 'x'.repeat(FIVE_MB) })),
      ...TOO_LARGE,
    },
  ]),
  {
    name: 'POST /replies: 5 MB body, chunked',
    spec: () => ({
      ...agent('POST', '/api/conversations/c1/replies', JSON.stringify({ text: 'x'.repeat(FIVE_MB) })),
      chunked: true,
    }),
    ...TOO_LARGE,
  },
  {
    name: 'POST /replies: text over 64 KiB',
    spec: () => agent('POST', '/api/conversations/c1/replies', JSON.stringify({ text: 'x'.repeat(65_537) })),
    ...INVALID,
  },
  {
    name: 'POST /replies: unknown channel',
    spec: () => agent('POST', '/api/conversations/c1/replies', '{"text":"hi","channel":"fax"}'),
    ...INVALID,
  },
  {
    name: 'POST /replies: nothing to send',
    spec: () => agent('POST', '/api/conversations/c1/replies', '{}'),
    ...INVALID,
  },
  {
    name: 'POST /replies: 256-character Idempotency-Key',
    spec: () =>
      agent('POST', '/api/conversations/c1/replies', '{"text":"hi"}', { 'idempotency-key': 'k'.repeat(256) }),
    ...INVALID,
  },
  {
    name: 'POST /replies: unknown conversation',
    spec: () => agent('POST', '/api/conversations/c1/replies', '{"text":"hi"}'),
    ...NOT_FOUND,
  },
  {
    name: 'POST /merge: customerId traversal',
    spec: () => agent('POST', '/api/customers/c1/merge', '{"customerId":"../../c2"}'),
    ...INVALID,
  },
  {
    name: 'POST /merge: customerId as an object',
    spec: () => agent('POST', '/api/customers/c1/merge', '{"customerId":{"$ne":null}}'),
    ...INVALID,
  },
  { name: 'GET /customers: empty q', spec: () => agent('GET', '/api/customers?q='), ...INVALID },
  { name: 'GET /customers: blank q', spec: () => agent('GET', '/api/customers?q=%20%20'), ...INVALID },
  {
    name: 'GET /customers: 321-character q',
    spec: () => agent('GET', `/api/customers?q=${'a'.repeat(321)}`),
    ...INVALID,
  },
  {
    name: 'GET /timeline: unknown customer',
    spec: () => agent('GET', '/api/customers/c1/timeline'),
    ...NOT_FOUND,
  },
  {
    name: 'GET /timeline: limit=0',
    spec: () => agent('GET', '/api/customers/c1/timeline?limit=0'),
    ...INVALID,
  },
  {
    name: 'GET /timeline: limit=201',
    spec: () => agent('GET', '/api/customers/c1/timeline?limit=201'),
    ...INVALID,
  },
  {
    name: 'GET /timeline: limit=abc',
    spec: () => agent('GET', '/api/customers/c1/timeline?limit=abc'),
    ...INVALID,
  },
  {
    name: 'GET /timeline: forged cursor',
    spec: () =>
      agent(
        'GET',
        `/api/customers/c1/timeline?cursor=${Buffer.from('{"after":"PROFILE"}').toString('base64url')}`,
      ),
    ...NOT_FOUND,
  },
  {
    name: 'GET /conversations: unknown status',
    spec: () => agent('GET', '/api/conversations?status=deleted'),
    ...INVALID,
  },
  {
    name: 'GET /conversations: 4 kB cursor',
    spec: () => agent('GET', `/api/conversations?cursor=${'A'.repeat(4097)}`),
    ...INVALID,
  },
  {
    name: 'GET /customers/:id: unknown customer',
    spec: () => agent('GET', '/api/customers/c1'),
    ...NOT_FOUND,
  },
  { name: 'GET /api/nothing', spec: () => agent('GET', '/api/nothing'), ...NOT_FOUND },
  {
    name: 'GET /api/outbox: no token',
    spec: () => ({ method: 'GET', path: '/api/outbox' }),
    ...UNAUTHORIZED,
  },
  { name: 'GET /nothing', spec: () => ({ method: 'GET', path: '/nothing' }), ...NOT_FOUND },
].map((c) => ({ ...c, name: `agent API: ${c.name}` }));

// ---------------------------------------------------------------------------------------------------

describe('local runtime: hostile and broken requests on every route', () => {
  let runtime: LocalRuntime;
  let dynamo: DynamoDBClient;
  let clockOverride: Date | undefined;
  let inboundSends: MockInstance;
  let outboundSends: MockInstance;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        SNS_TOPIC_ARNS: TOPIC,
        AGENT_TOKENS: `agent-bad:${AGENT}:admin`,
      },
      clock: { now: () => clockOverride ?? new Date() },
      queue: { visibilityTimeoutMs: 1000 },
    });
    dynamo = new DynamoDBClient({
      endpoint: runtime.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    inboundSends = vi.spyOn(runtime.inbound, 'send');
    outboundSends = vi.spyOn(runtime.outbound, 'send');
  });

  afterAll(async () => {
    dynamo?.destroy();
    await runtime?.close();
  });

  /**
   * One request on a connection of its own (`agent: false`): a server that answers a large body early
   * and then drops the connection must not break the next request through a shared pool.
   */
  const send = (spec: Spec): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const bytes =
        spec.body === undefined
          ? undefined
          : typeof spec.body === 'string'
            ? Buffer.from(spec.body)
            : spec.body;
      let answered = false;
      const req = request(
        {
          host: '127.0.0.1',
          port: runtime.port,
          path: spec.path,
          method: spec.method ?? 'POST',
          agent: false,
          headers: {
            ...spec.headers,
            ...(bytes !== undefined && !spec.chunked ? { 'content-length': String(bytes.length) } : {}),
          },
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'],
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      // Writing the rest of a refused body may fail once the server has answered: only the answer counts.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (bytes !== undefined) {
        for (let i = 0; i < bytes.length; i += 65_536) req.write(bytes.subarray(i, i + 65_536));
      }
      req.end();
    });

  /** An admin's call that was refused writes its audit record (outcome: the error code) and its index entries, and only those. */
  const refusalAudit = (item: Record<string, { S?: string }>) =>
    (item.entity?.S === 'audit' || item.entity?.S === 'audit_index') && item.outcome?.S !== 'ok';

  /** Every item of the table, in key order, after the queues have settled; refusals' audit records aside. */
  const snapshot = async (): Promise<string> => {
    await runtime.idle();
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new ScanCommand({ TableName: 'threadline', ...(start ? { ExclusiveStartKey: start as never } : {}) }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return JSON.stringify(
      items
        .filter((i) => !refusalAudit(i as Record<string, { S?: string }>))
        .map((i) => JSON.stringify(i))
        .sort(),
    );
  };

  const healthy = async () => {
    const res = await fetch(`${runtime.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    // The uptime monitors' route (as on AWS): no token, the table answered.
    const api = await fetch(`${runtime.url}/api/health`);
    expect([api.status, await api.json()]).toEqual([200, { ok: true, checks: { table: 'ok' } }]);
  };

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${AGENT}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const customerBy = async (q: string): Promise<Customer> => {
    const { items } = await api<{ items: Customer[] }>(`/api/customers?q=${encodeURIComponent(q)}`);
    expect(items, q).toHaveLength(1);
    return items[0] as Customer;
  };
  const messages = async (customerId: string): Promise<TimelineItem[]> =>
    (await api<{ items: TimelineItem[] }>(`/api/customers/${customerId}/timeline`)).items.filter(
      (i) => i.type === 'message',
    );

  const expectRefused = async (c: RefusedCase) => {
    const before = await snapshot();
    const inbound = inboundSends.mock.calls.length;
    const outbound = outboundSends.mock.calls.length;
    const res = await send(c.spec(runtime.url));
    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    if (c.code !== undefined) {
      expect(res.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(res.text)).toEqual({ error: { code: c.code, message: expect.any(String) } });
    }
    await healthy();
    expect(inboundSends.mock.calls.length - inbound, 'envelopes queued').toBe(0);
    expect(outboundSends.mock.calls.length - outbound, 'replies queued').toBe(0);
    expect(await snapshot()).toBe(before);
    expect(runtime.deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
  };

  /** An accepted request that must store nothing: acknowledged, and the table unchanged. */
  const expectIgnored = async (spec: Spec, status: number) => {
    const before = await snapshot();
    const res = await send(spec);
    expect(res.status, res.text.slice(0, 300)).toBe(status);
    await healthy();
    expect(await snapshot()).toBe(before);
    return res;
  };

  describe('Meta webhooks (WhatsApp, Messenger, Instagram)', () => {
    it.each(metaCases)('$name: $status', expectRefused);
  });

  describe('Twilio webhooks (SMS, status, voice and its callbacks)', () => {
    it.each(twilioCases)('$name: $status', expectRefused);
  });

  describe('SES webhook (SNS over HTTP)', () => {
    it.each(sesCases)('$name: $status', expectRefused);

    it.each([
      ['expired (the clock is past notAfter)', new Date('2127-01-01T00:00:00Z')],
      ['not yet valid (the clock is before notBefore)', new Date('2026-01-01T00:00:00Z')],
    ])('refuses a message signed by the trusted certificate when it is %s', async (_name, at) => {
      // The certificate file is valid from 2026-11-21 to 2126-10-28: move the webhook's clock outside it.
      const spec = snsPost();
      clockOverride = at;
      try {
        await expectRefused({ name: 'stale', spec: () => spec, ...FORBIDDEN });
      } finally {
        clockOverride = undefined;
      }
    });
  });

  describe('agent API', () => {
    it.each(agentCases)('$name: $status', expectRefused);

    it('answers 431 for a request line over Node’s 16 kB header limit, and stays up', async () => {
      const res = await send(agent('GET', `/api/customers/${'a'.repeat(20_000)}`));
      expect(res.status).toBe(431);
      await healthy();
    });

    it.each([
      ['garbage', '%FF%FE'],
      ['forged', Buffer.from('{"pk":"CUSTOMER#x"}').toString('base64url')],
    ])('answers 400 for a %s inbox cursor', async (_name, cursor) => {
      await expectRefused({
        name: 'cursor',
        spec: () => agent('GET', `/api/conversations?cursor=${cursor}`),
        ...INVALID,
      });
    });
  });

  describe('accepted oddities', () => {
    it.each([
      ['WhatsApp', 'é'],
      ['Messenger', 'x'],
    ])('stores a 100 kB %s text verbatim', async (channel, unit) => {
      const text = `${unit.repeat(99_990)}</script>`;
      const spec =
        channel === 'WhatsApp'
          ? metaPost('/webhooks/whatsapp', whatsappBody({ from: '14155550110', id: 'wamid.LONG', text }))
          : metaPost('/webhooks/meta', messengerBody({ sender: '5550110', mid: 'm_LONG', text }));
      const res = await send(spec);
      expect(res.status).toBe(200);
      await runtime.idle();
      const customer = await customerBy(channel === 'WhatsApp' ? '+14155550110' : '682498302938465:5550110');
      expect((await messages(customer.id)).map((m) => m.text)).toEqual([text]);
      await healthy();
    });

    it.each([
      [
        'WhatsApp',
        () =>
          metaPost(
            '/webhooks/whatsapp',
            whatsappBody({ from: '14155550111', id: 'wamid.SCRIPT', text: SCRIPT, name: 'Robert"); DROP' }),
          ),
        '+14155550111',
        SCRIPT,
      ],
      [
        'Messenger',
        () => metaPost('/webhooks/meta', messengerBody({ sender: '5550111', mid: 'm_SCRIPT', text: SCRIPT })),
        '682498302938465:5550111',
        SCRIPT,
      ],
      [
        'Twilio SMS',
        (url: string) =>
          twilioPost(url, '/webhooks/twilio/sms', {
            ...SMS,
            MessageSid: 'SMscript0000000000000000000000001',
            From: '+14155550112',
            Body: SCRIPT,
          }),
        '+14155550112',
        SCRIPT,
      ],
      [
        'SES email',
        () => snsPost({ message: sesNotification('ses-script', EMAIL_SCRIPT, 'script@example.com') }),
        'script@example.com',
        EMAIL_SCRIPT,
      ],
    ])(
      'stores script- and SQL-looking text from %s verbatim and returns it JSON-escaped',
      async (_c, spec, q, expected) => {
        const res = await send(spec(runtime.url));
        expect(res.status, res.text).toBeLessThan(300);
        await runtime.idle();
        const customer = await customerBy(q);
        const timeline = await send(agent('GET', `/api/customers/${customer.id}/timeline`));
        expect(timeline.status).toBe(200);
        expect(timeline.contentType).toMatch(/^application\/json/);
        // Inside a JSON string: quotes and backslashes escaped, so nothing breaks out of it.
        expect(timeline.text).toContain(JSON.stringify(expected).slice(1, -1));
        expect(timeline.text).not.toContain('alert("x")');
        const items = (JSON.parse(timeline.text) as { items: TimelineItem[] }).items;
        expect(items.filter((i) => i.type === 'message').map((i) => i.text)).toEqual([expected]);
        // The same strings as a search find nothing and break nothing.
        for (const q of ["' OR '1'='1", SCRIPT.slice(0, 300), '*', '%']) {
          const found = await send(agent('GET', `/api/customers?q=${encodeURIComponent(q)}`));
          expect(found.status, q).toBe(200);
          expect(JSON.parse(found.text), q).toEqual({ items: [], cursor: null });
        }
      },
    );

    it('keeps a signed WhatsApp message whose unknown field nests 50 deep (kept in raw)', async () => {
      const nested = JSON.parse(`${'['.repeat(50)}${']'.repeat(50)}`) as unknown;
      const body = whatsappBody({
        from: '14155550113',
        id: 'wamid.NESTED',
        text: 'nested',
        extra: { surprise: nested },
      });
      const res = await send(metaPost('/webhooks/whatsapp', body));
      expect(res.status).toBe(200);
      await runtime.idle();
      const customer = await customerBy('+14155550113');
      expect((await messages(customer.id)).map((m) => m.text)).toEqual(['nested']);
      expect(runtime.deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
    });

    it('keeps a WhatsApp Flow answer whose response_json nests 10k deep as the string it came as', async () => {
      const body = whatsappBody({
        from: '14155550115',
        id: 'wamid.FLOW',
        text: 'unused',
        extra: {
          type: 'interactive',
          text: undefined,
          interactive: {
            type: 'nfm_reply',
            nfm_reply: { name: 'flow', body: 'Sent', response_json: `{"a":${DEEP}}` },
          },
        },
      });
      const res = await send(metaPost('/webhooks/whatsapp', body));
      expect(res.status).toBe(200);
      await runtime.idle();
      const [item] = await messages((await customerBy('+14155550115')).id);
      expect(item?.text).toBe('Sent');
      expect(item?.data).toMatchObject({ interactive: { responseJson: `{"a":${DEEP}}` } });
      expect(runtime.deadLetter.depth()).toEqual({ visible: 0, inFlight: 0 });
    });

    it('accepts a signed Meta body sent as text/plain: the signature covers the bytes, not the headers', async () => {
      const body = whatsappBody({ from: '14155550114', id: 'wamid.PLAIN', text: 'plain' });
      const res = await send(metaPost('/webhooks/whatsapp', body, { 'content-type': 'text/plain' }));
      expect(res.status).toBe(200);
      await runtime.idle();
      const customer = await customerBy('+14155550114');
      expect((await messages(customer.id)).map((m) => m.text)).toEqual(['plain']);
    });

    it.each([
      [
        'an entry that is not an object',
        '/webhooks/whatsapp',
        '{"object":"whatsapp_business_account","entry":[1,"x"]}',
        'OK',
      ],
      [
        'a change of another field',
        '/webhooks/whatsapp',
        '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{}}]}]}',
        'OK',
      ],
      [
        'a page entry whose messaging is a string',
        '/webhooks/meta',
        '{"object":"page","entry":[{"id":"1","messaging":"x"}]}',
        'EVENT_RECEIVED',
      ],
      [
        'an Instagram event with no sender',
        '/webhooks/meta',
        '{"object":"instagram","entry":[{"id":"1","messaging":[{"message":{"mid":"m","text":"hi"}}]}]}',
        'EVENT_RECEIVED',
      ],
    ])('acknowledges %s (logged by pointer) and stores nothing', async (_name, path, body, ack) => {
      const res = await expectIgnored(metaPost(path, body), 200);
      expect(res.text).toBe(ack);
    });

    it('answers a form that is not a call on /webhooks/twilio/voice with TwiML but files nothing', async () => {
      const res = await expectIgnored(twilioPost(runtime.url, '/webhooks/twilio/voice', { Foo: 'bar' }), 200);
      expect(res.text).toContain('<Record');
    });

    it('answers a withheld caller on /webhooks/twilio/voice by hanging up, offers no voicemail and files nothing', async () => {
      const params = { ...CALL, CallSid: 'CAanon', From: 'anonymous' };
      const res = await expectIgnored(twilioPost(runtime.url, '/webhooks/twilio/voice', params), 200);
      expect(res.text).toContain('<Hangup/>');
      expect(res.text).not.toContain('<Record');
    });

    it.each([
      [
        'recording',
        '/webhooks/twilio/voice/recording?From=anonymous',
        { RecordingSid: 'REanon', RecordingUrl: 'https://api.twilio.com/r', RecordingStatus: 'completed' },
      ],
      [
        'transcription',
        '/webhooks/twilio/voice/transcription',
        {
          From: 'anonymous',
          TranscriptionSid: 'TRanon',
          TranscriptionText: 'call me',
          TranscriptionStatus: 'completed',
        },
      ],
      ['status', '/webhooks/twilio/voice/status', { From: 'anonymous', CallStatus: 'completed' }],
    ])(
      'acknowledges the %s callback of a withheld caller (logged) and stores nothing',
      async (_name, path, params) => {
        // A recording callback carries no From: the caller is in its URL.
        const { From: _, ...call } = CALL;
        await expectIgnored(twilioPost(runtime.url, path, { ...call, CallSid: 'CAanon', ...params }), 204);
      },
    );

    it('answers a signed /after-record form of nothing with the farewell', async () => {
      const res = await expectIgnored(
        twilioPost(runtime.url, '/webhooks/twilio/voice/after-record', { Foo: 'bar' }),
        200,
      );
      expect(res.text).toContain('<Hangup/>');
    });

    it('acknowledges an SES notification type it does not handle and stores nothing', async () => {
      await expectIgnored(snsPost({ message: '{"notificationType":"Open","mail":{"messageId":"x"}}' }), 200);
    });
  });
});
