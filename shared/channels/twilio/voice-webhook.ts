import type { Envelope } from '#shared/domain/envelope.js';
import { callAfterHours, type QueueRules } from '#shared/domain/routing/queues.js';
import { ValidationError } from '#shared/errors.js';
import { createWebhook, queryOf, text, type Webhook, type WebhookRoute } from '#shared/http/webhook.js';
import { logger } from '#shared/log.js';
import { normaliseTwilioCall, type TwilioCallEvent, WithheldCallerError } from './normalise-call.js';
import { TWILIO_RETRY_OVERRIDES } from './overrides.js';
import { TWILIO_MAX_BODY_BYTES } from './schema.js';
import { twilioCallbackUrl } from './signature.js';
import { answerTwiml, farewellTwiml, type VoiceSpeech } from './twiml.js';
import { enqueueTwilio, readTwilioRequest, type TwilioWebhookDeps } from './webhook-request.js';

/** What the Twilio voice webhooks need. */
export interface TwilioVoiceWebhookDeps extends TwilioWebhookDeps {
  /** Said when a call is answered, before the beep (VOICE_GREETING). */
  greeting: string;
  /**
   * Said instead, before the same beep, when the call comes outside the business hours of its queue
   * (VOICE_CLOSED_GREETING).
   */
  closedGreeting: string;
  /** The routing policy's queues and business hours (ROUTING_POLICY_FILE, read once at start). */
  policy: QueueRules;
  /** Said to a caller whose number is withheld, before hanging up (VOICE_WITHHELD_MESSAGE). */
  withheldMessage: string;
  /** Said once the voicemail is recorded, before hanging up (VOICE_FAREWELL). */
  farewell: string;
  /** Every `<Say>`'s language and voice, and whether voicemails are transcribed (VOICE_SAY_LANGUAGE, VOICE_SAY_VOICE, VOICE_TRANSCRIBE). */
  speech: VoiceSpeech;
}

/** Where the voice routes live; Twilio is told the absolute URLs. */
export const VOICE_ROUTES = {
  incoming: '/webhooks/twilio/voice',
  recording: '/webhooks/twilio/voice/recording',
  transcription: '/webhooks/twilio/voice/transcription',
  status: '/webhooks/twilio/voice/status',
  afterRecord: '/webhooks/twilio/voice/after-record',
} as const;

/**
 * Twilio voice: `POST /webhooks/twilio/voice` answers an incoming call (well inside Twilio's 15 s) with
 * the greeting (the closed greeting outside the business hours of the call's queue) and a transcribed
 * `<Record>`, after queuing a `ringing` envelope; `/recording`, `/transcription` and `/status` queue the
 * voicemail, its transcript and the call's end; `/after-record` queues the voicemail too (the same id:
 * either request files it), thanks the caller and hangs up. Every route checks size (413), then
 * `X-Twilio-Signature` (403), then that the body is a form (400). The callbacks fail with 503 when the
 * queue does, so Twilio retries (TWILIO_RETRY_OVERRIDES); the two that answer a caller on the line
 * log the failure and answer all the same.
 */
export function createTwilioVoiceWebhook(deps: TwilioVoiceWebhookDeps): Webhook {
  // The same for every call: built once here rather than per request.
  const farewell = farewellTwiml(deps.farewell, deps.speech);
  const callback = (path: string, event: TwilioCallEvent): WebhookRoute => ({
    method: 'POST',
    path,
    async handle(req) {
      const { params, ctx } = readTwilioRequest(req, deps);
      let envelopes: Envelope[];
      try {
        envelopes = normaliseTwilioCall(params, { ...ctx, query: queryOf(req.url) }, event);
      } catch (error) {
        if (!(error instanceof WithheldCallerError)) throw error;
        // Genuine Twilio news of a call nobody can be found for (a call from before the caller was
        // refused a voicemail, or its status): acknowledged, so Twilio does not retry or alert.
        logWithheld(params.CallSid, event, error);
        return { status: 204 };
      }
      await enqueueTwilio(deps.queue, envelopes, ctx.bodySha256);
      return { status: 204 };
    },
  });
  return createWebhook(
    [
      incomingRoute(deps),
      callback(VOICE_ROUTES.recording, 'recording'),
      callback(VOICE_ROUTES.transcription, 'transcription'),
      callback(VOICE_ROUTES.status, 'status'),
      {
        method: 'POST',
        path: VOICE_ROUTES.afterRecord,
        async handle(req) {
          const { params, ctx } = readTwilioRequest(req, deps);
          // The caller is still on the line: whatever becomes of the voicemail here, they are thanked.
          // Should this fail, the recording callback brings the same voicemail (and is retried).
          try {
            const envelopes = normaliseTwilioCall(params, ctx, 'after-record');
            await enqueueTwilio(deps.queue, envelopes, ctx.bodySha256);
          } catch (error) {
            if (error instanceof WithheldCallerError) logWithheld(params.CallSid, 'after-record', error);
            else logNotQueued(params.CallSid, 'after-record', error);
          }
          return text(200, farewell, 'text/xml');
        },
      },
    ],
    Math.min(deps.maxBodyBytes, TWILIO_MAX_BODY_BYTES),
  );
}

/**
 * `POST /webhooks/twilio/voice`: the signature first, then the `ringing` envelope queued (a failure
 * logged, not answered), then the answer: the greeting, or the closed greeting when the call's queue is closed now (the policy in
 * memory and the clock: no I/O), and the recording either way; a withheld caller is told to call with
 * their number shown, and hung up on.
 */
function incomingRoute(deps: TwilioVoiceWebhookDeps): WebhookRoute {
  // The same for every call: built once here rather than per request.
  const withheld = farewellTwiml(deps.withheldMessage, deps.speech);
  const afterHours = callAfterHours(deps.policy);
  return {
    method: 'POST',
    path: VOICE_ROUTES.incoming,
    async handle(req) {
      const { params, ctx } = readTwilioRequest(req, deps);
      let envelopes: Envelope[] = [];
      try {
        envelopes = normaliseTwilioCall(params, ctx, 'incoming');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // No number, no customer to file a voicemail under: not offered (Twilio would bill it and no
        // agent would see it); the caller is told how to reach us instead.
        if (error instanceof WithheldCallerError) {
          logWithheld(params.CallSid, 'incoming', error);
          return text(200, withheld, 'text/xml');
        }
        logger.warn('call not recorded', {
          provider: 'twilio',
          channel: 'voice',
          callId: params.CallSid,
          reason: error.message,
        });
      }
      try {
        await enqueueTwilio(deps.queue, envelopes, ctx.bodySha256);
      } catch (error) {
        // The ringing is only the call's news (its status and voicemail callbacks follow): a failing
        // queue must not cost the caller the voicemail, nor play them Twilio's "application error".
        logNotQueued(params.CallSid, 'incoming', error);
      }
      // Recording status callbacks carry neither From nor To: they travel in the (signed) callback URL.
      const caller = new URLSearchParams(
        Object.entries({ From: params.From, To: params.To }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ).toString();
      const url = (path: string, query = '') =>
        `${twilioCallbackUrl(path, req.url, deps.publicBaseUrl)}${query}${TWILIO_RETRY_OVERRIDES}`;
      const greeting = afterHours(deps.clock.now()) ? deps.closedGreeting : deps.greeting;
      const twiml = answerTwiml(
        greeting,
        {
          action: url(VOICE_ROUTES.afterRecord),
          transcribeCallback: url(VOICE_ROUTES.transcription),
          recordingStatusCallback: url(VOICE_ROUTES.recording, caller ? `?${caller}` : ''),
        },
        deps.speech,
      );
      return text(200, twiml, 'text/xml');
    },
  };
}

/** The one log line of a request about a call from a withheld number: ids only, never the number. */
function logWithheld(callId: string | undefined, event: TwilioCallEvent, error: WithheldCallerError): void {
  logger.warn('call not recorded', {
    provider: 'twilio',
    channel: 'voice',
    callId,
    event,
    reason: error.message,
  });
}

/**
 * The one log line of a call's envelope the queue did not take while the caller was on the line: an
 * error, as the queue failing is; the voicemail still comes by its own (retried) callback.
 */
function logNotQueued(callId: string | undefined, event: TwilioCallEvent, error: unknown): void {
  logger.error('call event not queued', {
    provider: 'twilio',
    channel: 'voice',
    callId,
    event,
    error: error instanceof Error ? error.name : typeof error,
    message: error instanceof Error ? error.message : undefined,
  });
}
