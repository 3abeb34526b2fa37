import type { Envelope, EnvelopeInput, Identity } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { hot } from '#shared/validation/hot.js';
import { type BodyContext, optional } from '../normalised.js';
import { accountOf, addressIdentity, base, nonBlank, parseParams, validated } from './params.js';
import { type TwilioCallParams, TwilioCallParamsSchema } from './schema.js';

// What every request parses, compiled once the function is warm.
const CallParams = hot(TwilioCallParamsSchema);

/** The voice normaliser's context: also the query of the callback URL, which the signature covers. */
export interface TwilioCallContext extends BodyContext {
  /**
   * Recording status callbacks carry neither `From` nor `To`, so the voice app writes them into the
   * callback URL's query when it answers the call; they are read from here when the parameters lack them.
   */
  query?: Record<string, string>;
}

/**
 * The customer of a call is withheld (`anonymous`, `unknown`, a keypad word such as `+266696687`, zeros)
 * or not a phone (`client:`, a SIP URI).
 */
export class WithheldCallerError extends ValidationError {
  override name = 'WithheldCallerError';
}

/**
 * Caller ids that are a withheld number's word in keypad digits, as carriers pass them and Twilio
 * forwards them in `From`: ANONYMOUS, UNAVAILABLE, RESTRICTED, BLOCKED, UNKNOWN. Each reads as a phone
 * number, so every caller who hides theirs would otherwise be one customer, under a number nobody has.
 */
const WITHHELD_CALLER_IDS: ReadonlySet<string> = new Set([
  '266696687',
  '86282452253',
  '7378742833',
  '2562533',
  '8656696',
]);

/**
 * Zeros (`0000000000`, `000-000-0000`) or `+1` and zeros: the placeholder some carriers send for a
 * blocked caller id. No number is zeros; read in DEFAULT_REGION (US), it would be +10000000000 and
 * every such caller one customer.
 */
const ZEROS = /^(?:\+1)?0+$/;

/** The caller's identity, unless the number is withheld (a keypad word, zeros) or is no phone number. */
function callerIdentity(address: string | undefined): Identity | undefined {
  const identity = addressIdentity(address);
  if (identity?.kind !== 'phone') return identity;
  const withheld = WITHHELD_CALLER_IDS.has(identity.value.replace(/^\+/, '')) || ZEROS.test(identity.value);
  return withheld ? undefined : identity;
}

/**
 * Which voice request the parameters came from; `after-record` is the `<Record>` action, which also
 * carries the recording (providers.md §1.6).
 */
export type TwilioCallEvent = 'incoming' | 'status' | 'recording' | 'after-record' | 'transcription';

// The recording's SID at the end of its URL: `.../Recordings/RE` and 32 letters and digits (Twilio's
// are hex).
const RECORDING_SID_IN_URL = /\/Recordings\/(RE[0-9a-z]{32})$/i;

/**
 * Turns a voice request into a `call` envelope on channel `voice`: the incoming call is `ringing`, a
 * recording (its callback, or the `<Record>` action naming it) is `voicemail`, a transcription
 * `transcription`, and a call status callback `completed` (with its duration) or `missed` (busy,
 * no-answer, failed, canceled). A recording or transcription
 * that failed or holds nothing yields no envelope. The customer is the caller of an inbound call and
 * the callee of an outbound one; ValidationError when that is withheld (`anonymous`) or not a phone.
 */
export function normaliseTwilioCall(
  params: Record<string, string>,
  ctx: TwilioCallContext,
  event: TwilioCallEvent,
): Envelope[] {
  const call = parseParams(CallParams, params, 'voice request');
  const from = call.From ?? ctx.query?.From;
  const to = call.To ?? ctx.query?.To;
  const direction: 'inbound' | 'outbound' = call.Direction?.startsWith('outbound') ? 'outbound' : 'inbound';
  const customer = callerIdentity(direction === 'inbound' ? from : to);
  if (!customer) throw new WithheldCallerError('the caller is withheld or not a phone number');
  const common = {
    kind: 'call' as const,
    ...base(ctx, 'voice', params, accountOf(direction === 'inbound' ? to : from)),
    callId: call.CallSid,
    direction,
    customer,
  };
  const callEnvelope = (
    callEvent: Extract<EnvelopeInput, { kind: 'call' }>['event'],
    suffix: string,
    extra: Partial<Extract<EnvelopeInput, { kind: 'call' }>> = {},
  ): Envelope[] => [
    validated({ id: `twilio:call:${call.CallSid}:${suffix}`, ...common, event: callEvent, ...extra }),
  ];

  switch (event) {
    case 'incoming':
      return callEnvelope('ringing', 'ringing');
    case 'status': {
      const callEvent = callStatusEvent(call);
      return callEnvelope(callEvent, callEvent, {
        ...optional('durationSeconds', seconds(call.CallDuration)),
        ...optional('recordingUrl', nonBlank(call.RecordingUrl)),
      });
    }
    case 'recording': {
      if (call.RecordingStatus !== undefined && call.RecordingStatus !== 'completed') return [];
      const recordingSid = required(call.RecordingSid, 'RecordingSid');
      return callEnvelope('voicemail', `voicemail:${recordingSid}`, {
        recordingUrl: required(nonBlank(call.RecordingUrl), 'RecordingUrl'),
        ...optional('durationSeconds', seconds(call.RecordingDuration)),
      });
    }
    case 'after-record': {
      // The same voicemail as the recording callback's, under the same id: whichever comes first
      // files it, the other is its duplicate. Twilio documents RecordingUrl here, not RecordingSid.
      const recordingUrl = nonBlank(call.RecordingUrl);
      const recordingSid = call.RecordingSid ?? recordingSidIn(recordingUrl);
      if (!recordingUrl || !recordingSid) return [];
      return callEnvelope('voicemail', `voicemail:${recordingSid}`, {
        recordingUrl,
        ...optional('durationSeconds', seconds(call.RecordingDuration)),
      });
    }
    case 'transcription': {
      if (call.TranscriptionStatus !== undefined && call.TranscriptionStatus !== 'completed') return [];
      const transcriptionSid = required(call.TranscriptionSid, 'TranscriptionSid');
      return callEnvelope('transcription', `transcription:${transcriptionSid}`, {
        ...optional('transcript', call.TranscriptionText),
        ...optional('recordingUrl', nonBlank(call.RecordingUrl)),
      });
    }
  }
}

function callStatusEvent(call: TwilioCallParams): 'ringing' | 'answered' | 'completed' | 'missed' {
  switch (call.CallStatus) {
    case 'queued':
    case 'initiated':
    case 'ringing':
      return 'ringing';
    case 'in-progress':
      return 'answered';
    case 'completed':
      return 'completed';
    case 'busy':
    case 'failed':
    case 'no-answer':
    case 'canceled':
      return 'missed';
    case undefined:
      throw new ValidationError('invalid Twilio voice request: CallStatus is required');
  }
}

/** The recording SID a Twilio recording URL ends with (its query is no part of it). */
function recordingSidIn(url: string | undefined): string | undefined {
  // Bounded: Twilio's recording URLs are some 130 characters; a longer value names no recording.
  if (url === undefined || url.length > 512) return undefined;
  return RECORDING_SID_IN_URL.exec(url.split('?', 1)[0] ?? '')?.[1];
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new ValidationError(`invalid Twilio voice request: ${name} is required`);
  return value;
}

function seconds(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
