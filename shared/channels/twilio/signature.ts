// The webhooks module alone: ~5 ms and Node built-ins only, where `import twilio from 'twilio'` loads the
// whole REST client (~110 ms of cold start). The `.js` is required: twilio has no exports map (providers.md §1.1).
import { validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks.js';
import { ForbiddenError, ValidationError } from '#shared/errors.js';
import { checkParamCount, firstValues, parseTwilioForm, TWILIO_FORM_CONTENT_TYPE } from './schema.js';

/** What a Twilio signature is checked over: the form parameters, or for a JSON body its raw bytes. */
export type TwilioSignatureInput = {
  /** The primary Auth Token (a secondary one only works once promoted). */
  authToken: string;
  /** The full URL Twilio requested, query included (see twilioSignedUrl). */
  url: string;
  /** `X-Twilio-Signature`. */
  header: string | undefined;
} & (
  | {
      /** Decoded form parameters, every one received (Twilio adds new ones without notice). */
      params: Record<string, string | string[]>;
      rawBody?: never;
    }
  | {
      /** A JSON body, signed through the `bodySHA256` query parameter of the URL. */
      rawBody: string | Uint8Array;
      params?: never;
    }
);

/**
 * Checks `X-Twilio-Signature` with twilio-node's own validator: HMAC-SHA1 of the URL followed by the
 * sorted form parameters, or (JSON bodies) of the URL alone plus the body's SHA-256 in `bodySHA256`.
 * The URL is tried with and without its port (Twilio drops it from HTTPS voice callbacks, providers.md
 * §4.3) and with any `'` the URL parser escaped; comparisons are constant-time. Missing, malformed or
 * forged: false. Never throws.
 */
export function verifyTwilioSignature(input: TwilioSignatureInput): boolean {
  const { authToken, url, header } = input;
  if (!authToken || !header) return false;
  try {
    const body =
      input.rawBody === undefined || typeof input.rawBody === 'string'
        ? input.rawBody
        : new TextDecoder('utf-8', { fatal: true }).decode(input.rawBody);
    return asTwilioMayHaveSentIt(url).some((candidate) =>
      body === undefined
        ? validateRequest(authToken, header, candidate, input.params ?? {})
        : validateRequestWithBody(authToken, header, candidate, body),
    );
  } catch {
    // An unparsable URL (twilio-node calls `new URL`) or a body that is not UTF-8.
    return false;
  }
}

/**
 * The URL Twilio signed: `publicBaseUrl` + the request's path and query when it is configured (behind
 * API Gateway or a tunnel, the Host the function sees is not the one Twilio called), else the request
 * URL itself. Fragments (connection overrides `#ct=…`) are never signed.
 */
export function twilioSignedUrl(requestUrl: string, publicBaseUrl?: string): string {
  const url = withoutFragment(requestUrl);
  if (!publicBaseUrl) return url;
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? '';
  const pathAndQuery = url.slice(origin.length);
  return `${publicBase(publicBaseUrl)}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`;
}

/** The absolute URL of one of our routes, for TwiML callbacks: on the public base, else the request's origin. */
export function twilioCallbackUrl(path: string, requestUrl: string, publicBaseUrl?: string): string {
  const base = publicBaseUrl ? publicBase(publicBaseUrl) : new URL(requestUrl).origin;
  return `${base}${path}`;
}

/** What the webhook apps read from a request to authenticate it. */
export interface TwilioRequest {
  authToken: string;
  /** While the Auth Token is rotated, the old primary (TWILIO_PREVIOUS_AUTH_TOKEN): tried when `authToken` refuses. */
  previousAuthToken?: string | undefined;
  /** The URL Twilio signed (twilioSignedUrl). */
  url: string;
  header: string | undefined;
  contentType: string | undefined;
  /** The body as received (the Lambda adapter has already decoded a base64 body). */
  body: Uint8Array;
  /** `body` as text, when the transport already has it (WebhookRequest.text). */
  text?: string | undefined;
}

/**
 * Authenticates a webhook request and returns its parameters: the signature is checked first, over
 * whatever the body is (every form parameter, as Twilio signs them), so a forged request gets
 * ForbiddenError (403, Twilio's convention, also for a missing header) before anything else is said
 * about it (signed with the current Auth Token or, during a rotation, the previous one); a genuine
 * request that is not a form, or has more parameters than Twilio sends, gets
 * ValidationError (400).
 */
export function authenticateTwilioRequest(request: TwilioRequest): Record<string, string> {
  const isForm = mediaType(request.contentType) === TWILIO_FORM_CONTENT_TYPE;
  // Form bodies are ASCII; a byte that is not UTF-8 decodes to U+FFFD and fails the signature.
  const form = isForm ? parseTwilioForm(request.text ?? new TextDecoder().decode(request.body)) : undefined;
  const signedWith = (authToken: string) =>
    form
      ? verifyTwilioSignature({ authToken, url: request.url, header: request.header, params: form })
      : verifyTwilioSignature({ authToken, url: request.url, header: request.header, rawBody: request.body });
  // The previous token costs a second check only for a request the current one refuses.
  const signed =
    signedWith(request.authToken) ||
    (request.previousAuthToken !== undefined && signedWith(request.previousAuthToken));
  if (!signed) throw new ForbiddenError('invalid or missing X-Twilio-Signature');
  if (!form) throw new ValidationError(`expected ${TWILIO_FORM_CONTENT_TYPE}`);
  checkParamCount(form);
  return firstValues(form);
}

/**
 * The URL as received, and as Twilio may have written it: the WHATWG URL parser behind `Request` (Hono's
 * Lambda and Node adapters) encodes a `'` in a query as `%27`, while Twilio signs the `'` it was given.
 * twilio-node covers the opposite case only.
 */
function asTwilioMayHaveSentIt(url: string): string[] {
  const unescaped = url.replaceAll('%27', "'");
  return unescaped === url ? [url] : [url, unescaped];
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function publicBase(publicBaseUrl: string): string {
  return withoutFragment(publicBaseUrl).replace(/(?<!\/)\/+$/, '');
}
