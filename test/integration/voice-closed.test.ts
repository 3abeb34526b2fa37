import { describe, expect, it } from 'vitest';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { twilioPoster } from '../support/webhooks.js';

const TWILIO_TOKEN = 'voice-closed-twilio-token';
const GREETING = 'Thanks for calling Example Shop. Leave a message after the tone.';
const CLOSED = 'Example Shop is closed now. Leave a message after the tone and we will call you back.';
const HOUR_MS = 3_600_000;

/**
 * The policy open around the clock, but its `voice` queue (the one a call takes) open only from the
 * hour the test starts in to two hours later, UTC: open when the runtime starts, closed 12 hours on.
 */
const startHour = new Date().getUTCHours();
const hh = (hour: number) => `${String(hour % 24).padStart(2, '0')}:00`;
const POLICY = alwaysOpenPolicyFile((policy) => {
  const voice = policy.queues.find((queue: { name: string }) => queue.name === 'voice');
  voice.businessHours = {
    timezone: 'UTC',
    hours: [
      {
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        open: hh(startHour),
        close: hh(startHour + 2),
      },
    ],
  };
});

/**
 * A call outside the business hours of its queue is greeted with VOICE_CLOSED_GREETING and goes
 * straight to the voicemail recording, which reaches the timeline as any voicemail; in hours, the
 * caller hears VOICE_GREETING. Through the local runtime with signed Twilio requests, on manual time.
 */
describe('local runtime: a call after hours hears the closed greeting, then leaves a voicemail', () => {
  const clock = useClockRuntime({
    metaSecret: 'voice-closed-meta-secret',
    agent: { token: agentToken('voice-closed-ana-token') },
    policyFile: POLICY,
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN, VOICE_GREETING: GREETING, VOICE_CLOSED_GREETING: CLOSED },
  });
  const { manual, idle, api } = clock;
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(TWILIO_TOKEN, idle);
  const ring = (from: string, sid: string) =>
    post(`${clock.runtime.url}/webhooks/twilio/voice`, {
      CallSid: sid,
      AccountSid: 'ACvoiceclosed0000000000000000000',
      From: from,
      To: '+15005550006',
      Direction: 'inbound',
      CallStatus: 'ringing',
    });

  it('greets a call in hours with VOICE_GREETING, and one 12 hours later with VOICE_CLOSED_GREETING', async () => {
    const open = await ring('+14155550181', 'CAvoiceclosed000000000000000000001');
    expect(open).toContain(`<Say>${GREETING}</Say><Record `);
    manual.advance(12 * HOUR_MS);
    const closed = await ring('+14155550182', 'CAvoiceclosed000000000000000000002');
    expect(closed).toContain(`<Say>${CLOSED}</Say><Record `);
    expect(closed).not.toContain(GREETING);

    // Twilio then posts the recording to the callback of that TwiML, which carries the caller.
    const callback = /recordingStatusCallback="([^"]+)"/.exec(closed)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(callback).toContain('/webhooks/twilio/voice/recording?');
    await post(callback, {
      AccountSid: 'ACvoiceclosed0000000000000000000',
      CallSid: 'CAvoiceclosed000000000000000000002',
      RecordingSid: 'REvoiceclosed000000000000000000002',
      RecordingUrl:
        'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/REvoiceclosed000000000000000000002',
      RecordingStatus: 'completed',
      RecordingDuration: '9',
    });
    const customer = await find('+14155550182');
    const voicemails = (await timeline(customer.id)).filter((item) => item.event === 'call_voicemail');
    expect(voicemails).toMatchObject([{ data: { durationSeconds: 9 } }]);
    // The inbox row says what waits: before, a voicemail's conversation had no preview at all.
    const inbox = await api<{ items: Array<{ customerId: string; preview?: string }> }>(
      'GET',
      '/api/conversations?channel=voice',
    );
    expect(inbox.items.find((row) => row.customerId === customer.id)?.preview).toBe('Voicemail (9 s)');
  });
});
