import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { VOICE_ROUTES } from '#shared/channels/twilio/voice-webhook.js';
import {
  DEFAULT_VOICE_CLOSED_GREETING,
  DEFAULT_VOICE_GREETING,
  DEFAULT_VOICE_WITHHELD_MESSAGE,
} from '#shared/config/config.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { parseRoutingPolicy, type RoutingPolicy } from '#shared/domain/routing/policy.js';
import {
  TWILIO_BASE as BASE,
  CALLER_QUERY,
  expectedAnswer,
  twilioParams as params,
  voiceApp,
} from '../../../../support/twilio-voice-app.js';

const INCOMING = `${BASE}${VOICE_ROUTES.incoming}`;
/** The shipped policy: Monday to Friday 09:00–18:00 and Saturday 10:00–14:00 in New York, US holidays closed. */
const SHIPPED = loadRoutingPolicy();
/** 2026-06-01 is a Monday: 08:00 and 11:00 in New York (EDT, UTC−4). */
const MONDAY_8AM_NEW_YORK = '2026-06-01T12:00:00.000Z';
const MONDAY_11AM_NEW_YORK = '2026-06-01T15:00:00.000Z';
/** Friday 2026-07-03, 11:00 in New York: Independence Day as observed, a holiday of the shipped policy. */
const HOLIDAY_11AM_NEW_YORK = '2026-07-03T15:00:00.000Z';

const ALL_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const openAllDay = { timezone: 'UTC', hours: [{ days: ALL_WEEK, open: '00:00', close: '24:00' }] };
/** Open one hour a day, 03:00–04:00 UTC: closed at noon UTC. */
const openAtThreeOnly = { timezone: 'UTC', hours: [{ days: ALL_WEEK, open: '03:00', close: '04:00' }] };

function policy(json: object): RoutingPolicy {
  return parseRoutingPolicy(JSON.stringify({ defaultQueue: 'general', ...json }));
}

/** What an incoming call is answered at `now` under `routing`, and what it queued. */
async function answerAt(now: string, routing: RoutingPolicy, form = params('call_incoming')) {
  const { post, queued } = voiceApp({ policy: routing, now });
  const res = await post(INCOMING, form);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/xml');
  return { twiml: await res.text(), queued };
}

const closedAnswer = expectedAnswer(DEFAULT_VOICE_CLOSED_GREETING, BASE, CALLER_QUERY);
const openAnswer = expectedAnswer(DEFAULT_VOICE_GREETING, BASE, CALLER_QUERY);

describe('POST /webhooks/twilio/voice outside business hours', () => {
  it('says the closed greeting, then goes straight to the voicemail recording, and still queues the ringing', async () => {
    const { twiml, queued } = await answerAt(MONDAY_8AM_NEW_YORK, SHIPPED);
    expect(twiml).toBe(closedAnswer);
    expect(queued.map((envelope) => envelope.kind === 'call' && envelope.event)).toEqual(['ringing']);
  });

  it('keeps the usual greeting in business hours', async () => {
    expect((await answerAt(MONDAY_11AM_NEW_YORK, SHIPPED)).twiml).toBe(openAnswer);
  });

  it('is closed on a holiday of the business hours', async () => {
    expect((await answerAt(HOLIDAY_11AM_NEW_YORK, SHIPPED)).twiml).toBe(closedAnswer);
  });

  it('offers a voicemail by default, in words the caller hears', () => {
    expect(DEFAULT_VOICE_CLOSED_GREETING).toMatch(/closed/i);
    expect(DEFAULT_VOICE_CLOSED_GREETING).toMatch(/leave a message/i);
  });

  it("follows the hours of the call's queue: the first that takes voice, over the policy's", async () => {
    const voiceClosed = policy({
      queues: [{ name: 'voice', channels: ['voice'], businessHours: openAtThreeOnly }, { name: 'general' }],
      businessHours: openAllDay,
    });
    expect((await answerAt(MONDAY_8AM_NEW_YORK, voiceClosed)).twiml).toBe(closedAnswer);
    const voiceOpen = policy({
      queues: [{ name: 'voice', channels: ['voice'], businessHours: openAllDay }, { name: 'general' }],
      businessHours: openAtThreeOnly,
    });
    expect((await answerAt(MONDAY_8AM_NEW_YORK, voiceOpen)).twiml).toBe(openAnswer);
  });

  it('takes the default queue when no queue names voice; a queue chosen by language or keywords is not the call’s', async () => {
    // A call has said nothing yet and the webhook knows no customer: only a queue's channels can match it.
    const routing = policy({
      queues: [
        { name: 'billing', keywords: ['invoice'], businessHours: openAllDay },
        { name: 'spanish', channels: ['voice'], languages: ['es'], businessHours: openAllDay },
        { name: 'general', businessHours: openAtThreeOnly },
      ],
    });
    expect((await answerAt(MONDAY_8AM_NEW_YORK, routing)).twiml).toBe(closedAnswer);
  });

  it('never closes without business hours', async () => {
    expect((await answerAt(MONDAY_8AM_NEW_YORK, policy({ queues: [{ name: 'general' }] }))).twiml).toBe(
      openAnswer,
    );
  });

  it('says VOICE_CLOSED_GREETING, XML-escaped as twilio-node does', async () => {
    const closedGreeting = 'Tom & Jerry\'s is closed <until 9>. Leave a "message".';
    const { post } = voiceApp({ policy: SHIPPED, now: MONDAY_8AM_NEW_YORK, closedGreeting });
    const res = await post(INCOMING, params('call_incoming'));
    expect(await res.text()).toBe(expectedAnswer(closedGreeting, BASE, CALLER_QUERY));
  });

  it('still asks a withheld caller to call with their number shown, recording nothing', async () => {
    const { twiml, queued } = await answerAt(MONDAY_8AM_NEW_YORK, SHIPPED, {
      ...params('call_incoming'),
      From: 'anonymous',
    });
    const response = new twilio.twiml.VoiceResponse();
    response.say(DEFAULT_VOICE_WITHHELD_MESSAGE);
    response.hangup();
    expect(twiml).toBe(response.toString());
    expect(queued).toEqual([]);
  });

  it('checks the signature first: an unsigned call after hours is refused 403, with no TwiML', async () => {
    const { post, queued } = voiceApp({ policy: SHIPPED, now: MONDAY_8AM_NEW_YORK });
    const res = await post(INCOMING, params('call_incoming'), { header: null });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('<Say>');
    expect(queued).toEqual([]);
  });
});
