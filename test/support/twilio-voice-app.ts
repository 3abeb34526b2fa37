import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import * as z from 'zod';
import { DEFAULT_SPEECH, type VoiceSpeech } from '#shared/channels/twilio/twiml.js';
import {
  DEFAULT_VOICE_CLOSED_GREETING,
  DEFAULT_VOICE_FAREWELL,
  DEFAULT_VOICE_GREETING,
  DEFAULT_VOICE_WITHHELD_MESSAGE,
} from '#shared/config/config.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { parseRoutingPolicy, type RoutingPolicy } from '#shared/domain/routing/policy.js';
import { createTwilioVoiceApp } from '#shared/local/webhook-apps.js';

export const TWILIO_TOKEN = 'test_auth_token';
export const TWILIO_BASE = 'https://hooks.example.com';
const FORM = 'application/x-www-form-urlencoded';
const FIXTURES = new URL('../fixtures/twilio/', import.meta.url);

/** A Twilio fixture's form parameters (test/fixtures/twilio/<name>.json). */
export function twilioParams(name: string): Record<string, string> {
  const raw = readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');
  return z.record(z.string(), z.string()).parse(JSON.parse(raw));
}

/** A routing policy whose every queue is open around the clock (a call's answer must not hang on the test's time). */
export const ALWAYS_OPEN_POLICY: RoutingPolicy = parseRoutingPolicy(
  JSON.stringify({
    defaultQueue: 'general',
    queues: [{ name: 'voice', channels: ['voice'] }, { name: 'general' }],
    businessHours: {
      timezone: 'UTC',
      hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open: '00:00', close: '24:00' }],
    },
  }),
);

export interface VoiceAppSetup {
  queueError?: Error;
  maxBodyBytes?: number;
  publicBaseUrl?: string | null;
  greeting?: string;
  closedGreeting?: string;
  withheldMessage?: string;
  farewell?: string;
  speech?: VoiceSpeech;
  policy?: RoutingPolicy;
  now?: string;
}

/** The voice webhooks as a Hono app, the envelopes they queue, and a signed Twilio POST to them. */
export function voiceApp(options: VoiceAppSetup = {}) {
  const queued: Envelope[] = [];
  const app = createTwilioVoiceApp({
    queue: {
      enqueue: async (envelopes) => {
        if (options.queueError) throw options.queueError;
        queued.push(...envelopes);
      },
    },
    clock: { now: () => new Date(options.now ?? '2026-06-01T12:00:00.000Z') },
    authToken: TWILIO_TOKEN,
    publicBaseUrl: options.publicBaseUrl === null ? undefined : (options.publicBaseUrl ?? TWILIO_BASE),
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    greeting: options.greeting ?? DEFAULT_VOICE_GREETING,
    closedGreeting: options.closedGreeting ?? DEFAULT_VOICE_CLOSED_GREETING,
    withheldMessage: options.withheldMessage ?? DEFAULT_VOICE_WITHHELD_MESSAGE,
    farewell: options.farewell ?? DEFAULT_VOICE_FAREWELL,
    speech: options.speech ?? DEFAULT_SPEECH,
    policy: options.policy ?? ALWAYS_OPEN_POLICY,
  });
  /**
   * Posts a form to `url` (absolute, as Twilio calls it) signed by twilio-node over `signedUrl`
   * (default: the URL itself); the app sees the same path and query on its own host.
   */
  const post = (
    url: string,
    form: Record<string, string>,
    request: { header?: string | null; signedUrl?: string; contentType?: string; body?: string } = {},
  ) => {
    // Twilio signs the URL without its fragment (the connection overrides, providers.md §1.1), and
    // never sends the fragment.
    const header =
      request.header === undefined
        ? twilio.getExpectedTwilioSignature(TWILIO_TOKEN, request.signedUrl ?? withoutFragment(url), form)
        : request.header;
    const { pathname, search } = new URL(url);
    return app.request(`${pathname}${search}`, {
      method: 'POST',
      headers: {
        'content-type': request.contentType ?? FORM,
        ...(header === null ? {} : { 'x-twilio-signature': header }),
      },
      body: request.body ?? new URLSearchParams(form).toString(),
    });
  };
  return { app, queued, post };
}

/**
 * The connection overrides every callback URL of our TwiML ends with: up to 3 retries on any failure
 * (providers.md §1.2). Written out here, not imported, so a change to them shows in the tests.
 */
export const RETRY_OVERRIDES = '#rc=3&rp=all';

/** The TwiML twilio-node's own builder writes for our answer: the greeting, then a transcribed recording. */
export function expectedAnswer(greeting: string, base: string, recordingQuery: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(greeting);
  response.record({
    action: `${base}/webhooks/twilio/voice/after-record${RETRY_OVERRIDES}`,
    method: 'POST',
    maxLength: 120,
    playBeep: true,
    transcribe: true,
    transcribeCallback: `${base}/webhooks/twilio/voice/transcription${RETRY_OVERRIDES}`,
    recordingStatusCallback: `${base}/webhooks/twilio/voice/recording${recordingQuery}${RETRY_OVERRIDES}`,
  });
  return response.toString();
}

/** The URL as Twilio signs and requests it: without its fragment. */
export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** The recording callback's query: the caller of the fixtures' call, which that callback does not carry. */
export const CALLER_QUERY = '?From=%2B14158675310&To=%2B15017122661';
