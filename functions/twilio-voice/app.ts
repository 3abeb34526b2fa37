import { normaliseTwilioCall, type TwilioCallEvent } from '#shared/channels/twilio/normalise.js';
import { twilioCallbackUrl } from '#shared/channels/twilio/signature.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { enqueueTwilio, readTwilioRequest, type TwilioWebhookDeps } from '#shared/http/twilio-webhook.js';
import { createWebhook, queryOf, text, type Webhook, type WebhookRoute } from '#shared/http/webhook.js';
import { logger } from '#shared/log.js';

export { DEFAULT_VOICE_GREETING } from '#shared/config/config.js';

/** What the Twilio voice webhooks need. */
export interface TwilioVoiceAppDeps extends TwilioWebhookDeps {
  /** Said when a call is answered, before the beep (VOICE_GREETING). */
  greeting: string;
}

/** What the caller hears after recording. */
export const DEFAULT_VOICE_FAREWELL = 'Thank you. We have your message. Goodbye.';

/** Where the voice routes live; Twilio is told the absolute URLs. */
export const VOICE_ROUTES = {
  incoming: '/webhooks/twilio/voice',
  recording: '/webhooks/twilio/voice/recording',
  transcription: '/webhooks/twilio/voice/transcription',
  status: '/webhooks/twilio/voice/status',
  afterRecord: '/webhooks/twilio/voice/after-record',
} as const;

// Transcription only runs on recordings shorter than 120 s (providers.md §1.6), so no message may be longer.
const MAX_RECORDING_SECONDS = 120;

/**
 * Twilio voice: `POST /webhooks/twilio/voice` answers an incoming call (well inside Twilio's 15 s) with
 * the greeting and a transcribed `<Record>`, after queuing a `ringing` envelope; `/recording`,
 * `/transcription` and `/status` queue the voicemail, its transcript and the call's end; `/after-record`
 * thanks the caller and hangs up. Every route checks size (413), then `X-Twilio-Signature` (403), then
 * that the body is a form (400), and fails with 503 when the queue does.
 */
export function createTwilioVoiceWebhook(deps: TwilioVoiceAppDeps): Webhook {
  // The same for every call: built once here rather than per request.
  const farewell = farewellTwiml(DEFAULT_VOICE_FAREWELL);
  const callback = (path: string, event: TwilioCallEvent): WebhookRoute => ({
    method: 'POST',
    path,
    async handle(req) {
      const { params, ctx } = readTwilioRequest(req, deps);
      await enqueueTwilio(
        deps.queue,
        normaliseTwilioCall(params, { ...ctx, query: queryOf(req.url) }, event),
        ctx.bodySha256,
      );
      return { status: 204 };
    },
  });
  return createWebhook(
    [
      {
        method: 'POST',
        path: VOICE_ROUTES.incoming,
        async handle(req) {
          const { params, ctx } = readTwilioRequest(req, deps);
          let envelopes: Envelope[] = [];
          try {
            envelopes = normaliseTwilioCall(params, ctx, 'incoming');
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            // A withheld number has no identity to file the call under, but the caller is still answered.
            logger.warn('call not recorded', {
              provider: 'twilio',
              channel: 'voice',
              callId: params.CallSid,
              reason: error.message,
            });
          }
          await enqueueTwilio(deps.queue, envelopes, ctx.bodySha256);
          const url = (path: string) => twilioCallbackUrl(path, req.url, deps.publicBaseUrl);
          // Recording status callbacks carry neither From nor To: they travel in the (signed) callback URL.
          const caller = new URLSearchParams(
            Object.entries({ From: params.From, To: params.To }).filter(
              (entry): entry is [string, string] => entry[1] !== undefined,
            ),
          ).toString();
          const twiml = answerTwiml(deps.greeting, {
            action: url(VOICE_ROUTES.afterRecord),
            transcribeCallback: url(VOICE_ROUTES.transcription),
            recordingStatusCallback: `${url(VOICE_ROUTES.recording)}${caller ? `?${caller}` : ''}`,
          });
          return text(200, twiml, 'text/xml');
        },
      },
      callback(VOICE_ROUTES.recording, 'recording'),
      callback(VOICE_ROUTES.transcription, 'transcription'),
      callback(VOICE_ROUTES.status, 'status'),
      {
        method: 'POST',
        path: VOICE_ROUTES.afterRecord,
        handle(req) {
          readTwilioRequest(req, deps);
          return text(200, farewell, 'text/xml');
        },
      },
    ],
    deps.maxBodyBytes,
  );
}

/** The absolute callback URLs of the `<Record>` verb. */
export interface RecordCallbacks {
  action: string;
  transcribeCallback: string;
  recordingStatusCallback: string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The answer to an incoming call: the greeting, then a transcribed recording of at most 120 s. */
export function answerTwiml(greeting: string, callbacks: RecordCallbacks): string {
  const say = greeting.trim() ? `<Say>${xmlText(greeting)}</Say>` : '';
  const record = [
    `action="${xmlAttribute(callbacks.action)}"`,
    'method="POST"',
    `maxLength="${MAX_RECORDING_SECONDS}"`,
    'playBeep="true"',
    'transcribe="true"',
    `transcribeCallback="${xmlAttribute(callbacks.transcribeCallback)}"`,
    `recordingStatusCallback="${xmlAttribute(callbacks.recordingStatusCallback)}"`,
  ].join(' ');
  return `${XML_DECLARATION}<Response>${say}<Record ${record}/></Response>`;
}

/** The answer once the message is recorded: thanks, then hang up. */
export function farewellTwiml(farewell: string): string {
  const say = farewell.trim() ? `<Say>${xmlText(farewell)}</Say>` : '';
  return `${XML_DECLARATION}<Response>${say}<Hangup/></Response>`;
}

/** Drops what XML 1.0 forbids even escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
function xmlLegal(value: string): string {
  let legal = '';
  // for…of walks code points, so a paired surrogate arrives whole and a lone one alone.
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000
    ) {
      legal += char;
    }
  }
  return legal;
}

/** Escapes element text as twilio-node's TwiML builder (xmlbuilder) does. */
function xmlText(value: string): string {
  return xmlLegal(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#xD;');
}

/** Escapes an attribute value as twilio-node's TwiML builder (xmlbuilder) does. */
function xmlAttribute(value: string): string {
  return xmlLegal(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\t', '&#x9;')
    .replaceAll('\n', '&#xA;')
    .replaceAll('\r', '&#xD;');
}
