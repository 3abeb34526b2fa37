import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import * as z from 'zod/mini';
import { ForbiddenError, UnavailableError } from '#shared/errors.js';
import { isRetryableStatus } from '#shared/http/status.js';
import { logger } from '#shared/log.js';
import { nonEmptyString, optionalString } from '../../validation/primitives.js';

const SnsSignedFields = {
  MessageId: z.string().check(z.minLength(1), z.maxLength(256)),
  TopicArn: z.string().check(z.minLength(1), z.maxLength(1024)),
  Message: z.string(),
  Timestamp: nonEmptyString,
  /** `1` = SHA1withRSA (the topic default), `2` = SHA256withRSA. */
  SignatureVersion: z.enum(['1', '2']),
  /** Base64. */
  Signature: nonEmptyString,
  SigningCertURL: nonEmptyString,
};

/** An SNS `Notification` as posted over HTTP(S) (not the Lambda event shape, whose URL keys differ). */
export const SnsNotificationSchema = z.looseObject({
  Type: z.literal('Notification'),
  ...SnsSignedFields,
  /** Absent when the publisher set none; the Lambda shape sends null instead. */
  Subject: z.nullish(z.string()),
  UnsubscribeURL: optionalString,
});

const SnsConfirmationFields = {
  ...SnsSignedFields,
  Token: nonEmptyString,
  /** GET it to (re)confirm the subscription. */
  SubscribeURL: nonEmptyString,
};

/** Sent once when an endpoint is subscribed; nothing is delivered until it is confirmed. */
export const SnsSubscriptionConfirmationSchema = z.looseObject({
  Type: z.literal('SubscriptionConfirmation'),
  ...SnsConfirmationFields,
});

/** Sent after an unsubscribe; its `SubscribeURL` would re-subscribe. */
export const SnsUnsubscribeConfirmationSchema = z.looseObject({
  Type: z.literal('UnsubscribeConfirmation'),
  ...SnsConfirmationFields,
});

/** The JSON body SNS posts to an HTTP(S) subscriber (with `Content-Type: text/plain`). */
export const SnsMessageSchema = z.discriminatedUnion('Type', [
  SnsNotificationSchema,
  SnsSubscriptionConfirmationSchema,
  SnsUnsubscribeConfirmationSchema,
]);
export type SnsMessage = z.infer<typeof SnsMessageSchema>;
export type SnsMessageType = SnsMessage['Type'];

/**
 * One record of the event SNS gives a Lambda it invokes directly. AWS invokes the function itself, so
 * the record is not verified; its URL keys are spelt `SigningCertUrl`/`UnsubscribeUrl` (not `...URL`).
 */
export const SnsEventRecordSchema = z.looseObject({
  EventSource: z.literal('aws:sns'),
  Sns: z.looseObject({
    Type: optionalString,
    MessageId: z.string().check(z.minLength(1), z.maxLength(256)),
    TopicArn: nonEmptyString,
    Message: z.string(),
    Timestamp: optionalString,
    Subject: z.nullish(z.string()),
  }),
});
export type SnsEventRecord = z.infer<typeof SnsEventRecordSchema>;

/**
 * The string SNS signs: `Name\nValue\n` for each field in this fixed order, a newline after every value,
 * optional fields skipped when absent. The order is the same for signature v1 and v2.
 */
export function snsStringToSign(message: SnsMessage): string {
  const fields: [string, string | null | undefined][] =
    message.Type === 'Notification'
      ? [
          ['Message', message.Message],
          ['MessageId', message.MessageId],
          ['Subject', message.Subject],
          ['Timestamp', message.Timestamp],
          ['TopicArn', message.TopicArn],
          ['Type', message.Type],
        ]
      : [
          ['Message', message.Message],
          ['MessageId', message.MessageId],
          ['SubscribeURL', message.SubscribeURL],
          ['Timestamp', message.Timestamp],
          ['Token', message.Token],
          ['TopicArn', message.TopicArn],
          ['Type', message.Type],
        ];
  let out = '';
  for (const [name, value] of fields) {
    if (typeof value === 'string') out += `${name}\n${value}\n`;
  }
  return out;
}

// AWS's own validator (sns-validator) accepts exactly these hosts: sns.<region>.amazonaws.com(.cn).
const SNS_HOST = /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

/** True for an https URL on an SNS regional host, default port, no credentials (SubscribeURL, cert URL). */
export function isSnsUrl(url: string): boolean {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  return (
    parsed !== undefined &&
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === '' &&
    SNS_HOST.test(parsed.hostname)
  );
}

/** True for a `SigningCertURL` we may fetch: an SNS URL whose path ends in `.pem`. */
export function isSnsSigningCertUrl(url: string): boolean {
  return isSnsUrl(url) && new URL(url).pathname.endsWith('.pem');
}

// `arn:<partition>:sns:<region>:<account>:<topic>`; anchored and bounded (TopicArn is at most 1024 chars).
const TOPIC_ARN_REGION = /^arn:[a-z-]{1,20}:sns:([a-z0-9-]{1,40}):/;

/** The region of an SNS topic ARN, or undefined when it is not one. */
export function snsTopicRegion(topicArn: string): string | undefined {
  return TOPIC_ARN_REGION.exec(topicArn)?.[1];
}

/** The region of an SNS URL's host (`sns.<region>.amazonaws.com`), for a URL that passed isSnsUrl. */
function snsUrlRegion(url: string): string | undefined {
  return new URL(url).hostname.split('.')[1];
}

/** The message failed verification: forged, tampered, or signed with a certificate we do not accept (403). */
export class SnsSignatureError extends ForbiddenError {
  override name = 'SnsSignatureError';
}

/** A public key to check signatures with, and the validity of the certificate it came from. */
interface SigningKey {
  key: KeyObject;
  notBefore?: Date;
  notAfter?: Date;
}

/**
 * Reads a PEM: an X.509 certificate (what SigningCertURL serves) or a bare public key (tests). The one
 * place a key is taken out of a certificate.
 */
export function signingKeyFromPem(pem: string): SigningKey {
  try {
    if (pem.includes('BEGIN CERTIFICATE')) {
      const cert = new X509Certificate(pem);
      return { key: cert.publicKey, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
    }
    return { key: createPublicKey(pem) };
  } catch {
    throw new SnsSignatureError('the SNS signing certificate is not a valid PEM');
  }
}

/** How long a certificate URL that was refused (4xx, not a PEM) stays refused without a new fetch. */
export const SNS_REFUSED_CERT_MS = 10 * 60_000;

/**
 * Signing keys by certificate URL, shared across invocations. A load in flight is shared too. A load
 * that failed for a reason that may pass (network, 5xx) is forgotten so the next message tries again;
 * one refused (the URL answered 4xx or served no PEM) is remembered as refused for SNS_REFUSED_CERT_MS,
 * apart from the keys, so that forgeries repeating a URL make no new fetch and cannot push a real
 * certificate out.
 */
export class SnsCertCache {
  readonly #keys = new Map<string, Promise<SigningKey>>();
  readonly #refused = new Map<string, { error: SnsSignatureError; until: number }>();
  readonly #maxEntries: number;
  readonly #maxRefused: number;

  constructor(maxEntries = 32, maxRefused = 1024) {
    this.#maxEntries = maxEntries;
    this.#maxRefused = maxRefused;
  }

  /** The key cached under `id`, or the one `load` yields (then cached); `now` in ms ages refusals. */
  get(id: string, load: () => Promise<SigningKey>, now = Date.now()): Promise<SigningKey> {
    const refused = this.#refused.get(id);
    if (refused && refused.until > now) return Promise.reject(refused.error);
    this.#refused.delete(id);
    const cached = this.#keys.get(id);
    if (cached) return cached;
    const loading = load();
    this.#keys.set(id, loading);
    loading.catch((error: unknown) => {
      this.#keys.delete(id);
      if (error instanceof SnsSignatureError) {
        this.#refused.set(id, { error, until: now + SNS_REFUSED_CERT_MS });
        dropOldest(this.#refused, this.#maxRefused);
      }
    });
    dropOldest(this.#keys, this.#maxEntries);
    return loading;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** How many certificate URLs are remembered as refused. */
  get refusedSize(): number {
    return this.#refused.size;
  }
}

/** Drops the oldest entries (Maps iterate in insertion order) until at most `max` remain. */
function dropOldest(map: Map<string, unknown>, max: number): void {
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

const defaultCertCache = new SnsCertCache();

/** How a message is verified. */
export interface SnsVerifyOptions {
  /** GETs a certificate URL (already checked to be an SNS https `.pem` URL) and returns the PEM. */
  fetchCert: (url: string) => Promise<string>;
  /**
   * A PEM (certificate or public key) used instead of fetching SigningCertURL: offline development and
   * tests only (SNS_TRUSTED_CERT_FILE). The URL checks still apply.
   */
  trustedCertPem?: string | undefined;
  /** Defaults to one cache per process. */
  cache?: SnsCertCache;
  /** For the certificate validity check; defaults to the system clock. */
  now?: () => Date;
}

/**
 * Verifies an SNS message as AWS prescribes: the SigningCertURL is an https `.pem` URL on an SNS host,
 * the certificate is valid now, and the signature (v1 RSA-SHA1, v2 RSA-SHA256) matches the string to
 * sign. Throws SnsSignatureError (403) when the message must be refused, and UnavailableError (503)
 * when the certificate cannot be fetched, so SNS retries later.
 */
export async function verifySnsMessage(message: SnsMessage, options: SnsVerifyOptions): Promise<void> {
  const url = message.SigningCertURL;
  if (!isSnsSigningCertUrl(url)) {
    throw new SnsSignatureError('SigningCertURL is not an https .pem URL on an SNS host');
  }
  checkCertRegion(message);
  const cache = options.cache ?? defaultCertCache;
  const { trustedCertPem } = options;
  const now = options.now?.() ?? new Date();
  const signing = trustedCertPem
    ? await cache.get(`trusted:${createHash('sha256').update(trustedCertPem).digest('hex')}`, async () =>
        signingKeyFromPem(trustedCertPem),
      )
    : await cache.get(
        url,
        async () => signingKeyFromPem(await fetchPem(url, options.fetchCert)),
        now.getTime(),
      );

  if ((signing.notBefore && now < signing.notBefore) || (signing.notAfter && now > signing.notAfter)) {
    throw new SnsSignatureError('the SNS signing certificate is not valid at this time');
  }
  const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  let valid = false;
  try {
    valid = verify(
      algorithm,
      Buffer.from(snsStringToSign(message), 'utf8'),
      signing.key,
      Buffer.from(message.Signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new SnsSignatureError('the SNS message signature does not match');
}

/**
 * SNS signs with a certificate of the topic's own region: a SigningCertURL in another region (or a
 * TopicArn that names none) is refused before any fetch, so a forgery cannot make us fetch certificates
 * from every region. The regions are logged; they are no one's personal data.
 */
function checkCertRegion(message: SnsMessage): void {
  const topicRegion = snsTopicRegion(message.TopicArn);
  const certRegion = snsUrlRegion(message.SigningCertURL);
  if (topicRegion !== undefined && topicRegion === certRegion) return;
  logger.warn('sns signing certificate is not in the topic region', {
    snsMessageId: message.MessageId,
    topicRegion: topicRegion ?? 'none',
    certRegion,
  });
  throw new SnsSignatureError("SigningCertURL is not in the TopicArn's region");
}

/** A non-2xx answer from an SNS URL. */
export class SnsHttpError extends Error {
  override name = 'SnsHttpError';
  readonly status: number;
  constructor(status: number) {
    super(`SNS answered HTTP ${status}`);
    this.status = status;
  }
}

/**
 * The PEM at a certificate URL. A 4xx answer (but 408 and 429, which pass) means there is no such
 * certificate on SNS: the message is forged, refused as a bad signature (403). Anything else that fails
 * (network, timeout, 5xx) is UnavailableError (503), so SNS retries later.
 */
async function fetchPem(url: string, fetchCert: (url: string) => Promise<string>): Promise<string> {
  try {
    return await fetchCert(url);
  } catch (error) {
    if (error instanceof SnsHttpError && error.status >= 400 && !isRetryableStatus(error.status)) {
      throw new SnsSignatureError(`the SNS signing certificate URL answered HTTP ${error.status}`);
    }
    // A message signed with a key of one's own (npm start's, a test's) can never be fetched: say what to set.
    const hint =
      'a message signed with your own key (a test, not SNS) needs SNS_TRUSTED_CERT_FILE set to its certificate or public key';
    logger.warn('could not fetch the SNS signing certificate', { host: new URL(url).host, hint });
    throw new UnavailableError(`could not fetch the SNS signing certificate; ${hint}`, { cause: error });
  }
}

/**
 * GETs an SNS URL (a certificate or a SubscribeURL) and returns the body; redirects are errors, a
 * non-2xx answer is SnsHttpError, and a slow answer is cut off so the webhook still answers SNS within
 * its 15 s.
 */
export async function getSnsUrl(url: string, timeoutMs = 5000): Promise<string> {
  if (!isSnsUrl(url)) throw new Error('not an https URL on an SNS host');
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new SnsHttpError(response.status);
  return response.text();
}
