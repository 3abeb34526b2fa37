import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { VOICE_ROUTES } from '#shared/channels/twilio/voice-webhook.js';
import { DEFAULT_VOICE_FAREWELL, DEFAULT_VOICE_GREETING } from '#shared/config/config.js';
import {
  TWILIO_BASE as BASE,
  CALLER_QUERY,
  expectedAnswer,
  twilioParams as params,
  RETRY_OVERRIDES,
  voiceApp as setup,
  TWILIO_TOKEN as TOKEN,
  withoutFragment,
} from '../../../../support/twilio-voice-app.js';

const CALL = 'CA5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b';
const CALLER = { kind: 'phone', value: '+14158675310' } as const;
const RECORDING = 'RE3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c';

/** What the caller hears once recorded: thanks, then the call is hung up. */
function farewellTwiml(): string {
  const farewell = new twilio.twiml.VoiceResponse();
  farewell.say(DEFAULT_VOICE_FAREWELL);
  farewell.hangup();
  return farewell.toString();
}

describe('POST /webhooks/twilio/voice', () => {
  it('queues a ringing call and answers with the greeting and a transcribed recording', async () => {
    const { post, queued } = setup();
    const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(await res.text()).toBe(expectedAnswer(DEFAULT_VOICE_GREETING, BASE, CALLER_QUERY));
    expect(queued).toEqual([
      expect.objectContaining({
        id: `twilio:call:${CALL}:ringing`,
        kind: 'call',
        channel: 'voice',
        event: 'ringing',
        callId: CALL,
        customer: CALLER,
      }),
    ]);
  });

  it.each([
    ['markup and quotes', `Tom & Jerry's <shop> "best" > rest`],
    ['non-ASCII and line breaks', 'Grüß Gott!\r\nMerci, à bientôt.'],
  ])('XML-escapes a greeting with %s as twilio-node does', async (_name, greeting) => {
    const { post } = setup({ greeting });
    const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'));
    expect(await res.text()).toBe(expectedAnswer(greeting, BASE, CALLER_QUERY));
  });

  it('drops characters XML cannot carry from the greeting', async () => {
    const { post } = setup({ greeting: 'Hello\u0000\u0007 there' });
    const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'));
    expect(await res.text()).toBe(expectedAnswer('Hello there', BASE, CALLER_QUERY));
  });

  it('points the callbacks at the request origin when no public base URL is set', async () => {
    const { post } = setup({ publicBaseUrl: null });
    const res = await post(`http://localhost${VOICE_ROUTES.incoming}`, params('call_incoming'));
    expect(await res.text()).toBe(expectedAnswer(DEFAULT_VOICE_GREETING, 'http://localhost', CALLER_QUERY));
  });

  it('accepts an HTTPS voice webhook Twilio signed without the custom port (§4.3)', async () => {
    const publicBaseUrl = 'https://voice.example.com:8443';
    const { post, queued } = setup({ publicBaseUrl });
    const res = await post(`${publicBaseUrl}${VOICE_ROUTES.incoming}`, params('call_incoming'), {
      signedUrl: `https://voice.example.com${VOICE_ROUTES.incoming}`,
    });
    expect(res.status).toBe(200);
    expect(queued).toHaveLength(1);
  });

  // Carriers pass a withheld caller id as a word, which Twilio forwards as its keypad digits: ANONYMOUS,
  // UNAVAILABLE, RESTRICTED, BLOCKED, UNKNOWN. Every such caller would be one shared customer.
  it.each([
    'anonymous',
    'unknown',
    'client:alice',
    '+266696687',
    '+86282452253',
    '+7378742833',
    '+2562533',
    '+8656696',
    // A carrier's placeholder for a blocked caller id, which would otherwise read as +10000000000.
    '0000000000',
    '+10000000000',
    '000-000-0000',
    '+0000000000',
  ])(
    'asks a caller whose number is %j to call with it shown or to write, records nothing and hangs up',
    async (From) => {
      const { post, queued } = setup({ withheldMessage: 'Please call with your number shown.' });
      const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, { ...params('call_incoming'), From });
      expect(res.status).toBe(200);
      const response = new twilio.twiml.VoiceResponse();
      response.say('Please call with your number shown.');
      response.hangup();
      // No <Record>: a voicemail nobody can be found for would be billed and thrown away.
      expect(await res.text()).toBe(response.toString());
      expect(queued).toEqual([]);
    },
  );
});

describe('Twilio voice: a queue that fails while the caller is on the line', () => {
  it('still answers the call with the greeting and the recording (the ringing is only news)', async () => {
    const { post, queued } = setup({ queueError: new Error('socket hang up') });
    const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(await res.text()).toBe(expectedAnswer(DEFAULT_VOICE_GREETING, BASE, CALLER_QUERY));
    expect(queued).toEqual([]);
  });

  it('still thanks the caller after the recording', async () => {
    const { post } = setup({ queueError: new Error('socket hang up') });
    const res = await post(`${BASE}${VOICE_ROUTES.afterRecord}`, params('call_after_record'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(farewellTwiml());
  });
});

describe('Twilio voice: the callback URLs of the answer', () => {
  const answer = async () => {
    const { post, ...rest } = setup();
    const twiml = await (await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'))).text();
    const attribute = (name: string) =>
      new RegExp(`${name}="([^"]+)"`).exec(twiml)?.[1]?.replaceAll('&amp;', '&') ?? 'missing';
    return { post, attribute, ...rest };
  };

  it('ask Twilio to retry on any failure (a 503 of the queue, a 429 of the throttle)', async () => {
    const { attribute } = await answer();
    for (const name of ['action', 'transcribeCallback', 'recordingStatusCallback'])
      expect(attribute(name).endsWith(RETRY_OVERRIDES), name).toBe(true);
  });

  it('are verified as Twilio signs them: without the fragment, which it never sends', async () => {
    const { post, attribute, queued } = await answer();
    const url = attribute('recordingStatusCallback');
    expect(url).toContain('#');
    const form = params('call_recording_completed');
    const withFragment = twilio.getExpectedTwilioSignature(TOKEN, url, form);
    expect((await post(url, form, { header: withFragment })).status).toBe(403);
    expect((await post(url, form, { signedUrl: withoutFragment(url) })).status).toBe(204);
    expect(queued.map((envelope) => envelope.id)).toEqual([
      `twilio:call:${CALL}:ringing`,
      `twilio:call:${CALL}:voicemail:${RECORDING}`,
    ]);
  });
});

describe('POST /webhooks/twilio/voice/after-record', () => {
  const voicemail = {
    id: `twilio:call:${CALL}:voicemail:${RECORDING}`,
    kind: 'call',
    event: 'voicemail',
    callId: CALL,
    customer: CALLER,
    durationSeconds: 14,
    recordingUrl: params('call_after_record').RecordingUrl,
  };

  it('queues the voicemail under the id the recording callback gives it, so either one files it', async () => {
    const { post, queued } = setup();
    const res = await post(`${BASE}${VOICE_ROUTES.afterRecord}`, params('call_after_record'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(farewellTwiml());
    const recording = await post(
      `${BASE}${VOICE_ROUTES.recording}${CALLER_QUERY}`,
      params('call_recording_completed'),
    );
    expect(recording.status).toBe(204);
    expect(queued).toEqual([expect.objectContaining(voicemail), expect.objectContaining(voicemail)]);
  });

  it('takes the recording id Twilio may send, over the one in the URL', async () => {
    const { post, queued } = setup();
    const form = { ...params('call_after_record'), RecordingSid: 'RE0000000000000000000000000000000a' };
    expect((await post(`${BASE}${VOICE_ROUTES.afterRecord}`, form)).status).toBe(200);
    expect(queued.map((envelope) => envelope.id)).toEqual([
      `twilio:call:${CALL}:voicemail:RE0000000000000000000000000000000a`,
    ]);
  });

  it.each([
    ['no recording', { RecordingUrl: undefined }],
    ['a recording URL naming no recording', { RecordingUrl: 'https://api.twilio.com/elsewhere' }],
    ['a withheld caller', { From: 'anonymous' }],
  ])('thanks the caller and queues nothing for %s', async (_, change) => {
    const { post, queued } = setup();
    const form = Object.fromEntries(
      Object.entries({ ...params('call_after_record'), ...change }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const res = await post(`${BASE}${VOICE_ROUTES.afterRecord}`, form);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(farewellTwiml());
    expect(queued).toEqual([]);
  });
});

describe('Twilio voice callbacks of a withheld caller', () => {
  it.each([
    ['recording', `${VOICE_ROUTES.recording}?From=anonymous&To=%2B15017122661`, 'call_recording_completed'],
    ['transcription', VOICE_ROUTES.transcription, 'call_transcription_completed'],
    ['status', VOICE_ROUTES.status, 'call_status_completed'],
    [
      'recording',
      `${VOICE_ROUTES.recording}?From=%2B266696687&To=%2B15017122661`,
      'call_recording_completed',
    ],
    ['status', VOICE_ROUTES.status, 'call_status_completed', '+266696687'],
    ['recording', `${VOICE_ROUTES.recording}?From=0000000000&To=%2B15017122661`, 'call_recording_completed'],
    ['status', VOICE_ROUTES.status, 'call_status_completed', '0000000000'],
  ])(
    'answers the %s callback 204 and queues nothing (logged)',
    async (_, path, fixture, From = 'anonymous') => {
      const { post, queued } = setup();
      const form = { ...params(fixture), ...(path.includes('?') ? {} : { From, To: '+15017122661' }) };
      const res = await post(`${BASE}${path}`, form);
      expect(res.status).toBe(204);
      expect(queued).toEqual([]);
    },
  );

  it('still answers 400 to a callback missing what it must carry', async () => {
    const { post } = setup();
    const { RecordingSid: _, ...form } = params('call_recording_completed');
    const res = await post(`${BASE}${VOICE_ROUTES.recording}${CALLER_QUERY}`, form);
    expect(res.status).toBe(400);
  });
});

describe('Twilio voice: the whole call', () => {
  it('answers, records, transcribes and ends a call, queuing one envelope per step', async () => {
    const { post, queued } = setup();
    const answer = await (await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'))).text();
    const attribute = (name: string) =>
      new RegExp(`${name}="([^"]+)"`).exec(answer)?.[1]?.replaceAll('&amp;', '&') ?? 'missing';

    // Twilio requests exactly the URLs of our TwiML, and signs them with their query.
    const afterRecord = await post(attribute('action'), params('call_after_record'));
    expect(afterRecord.status).toBe(200);
    const farewell = new twilio.twiml.VoiceResponse();
    farewell.say(DEFAULT_VOICE_FAREWELL);
    farewell.hangup();
    expect(await afterRecord.text()).toBe(farewell.toString());

    const recording = await post(attribute('recordingStatusCallback'), params('call_recording_completed'));
    expect(recording.status).toBe(204);
    const transcription = await post(attribute('transcribeCallback'), params('call_transcription_completed'));
    expect(transcription.status).toBe(204);
    const status = await post(`${BASE}${VOICE_ROUTES.status}`, params('call_status_completed'));
    expect(status.status).toBe(204);

    // The voicemail twice under one id (the action's, then the recording callback's): the resolver
    // files it once.
    expect(queued.map((envelope) => envelope.kind === 'call' && [envelope.id, envelope.event])).toEqual([
      [`twilio:call:${CALL}:ringing`, 'ringing'],
      [`twilio:call:${CALL}:voicemail:${RECORDING}`, 'voicemail'],
      [`twilio:call:${CALL}:voicemail:${RECORDING}`, 'voicemail'],
      [`twilio:call:${CALL}:transcription:TR1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d`, 'transcription'],
      [`twilio:call:${CALL}:completed`, 'completed'],
    ]);
    for (const envelope of queued)
      expect(envelope).toMatchObject({ customer: CALLER, account: '+15017122661' });
    expect(queued[1]).toMatchObject({ durationSeconds: 14 });
    expect(queued[2]).toMatchObject({ durationSeconds: 14 });
    expect(queued[3]).toMatchObject({
      transcript: 'Hi, this is Sheena. My order has not arrived, please call me back.',
    });
    expect(queued[4]).toMatchObject({ durationSeconds: 21 });
  });

  it('queues an unanswered call as missed', async () => {
    const { post, queued } = setup();
    expect((await post(`${BASE}${VOICE_ROUTES.status}`, params('call_status_no_answer'))).status).toBe(204);
    expect(queued).toEqual([expect.objectContaining({ id: `twilio:call:${CALL}:missed`, event: 'missed' })]);
  });

  it('acknowledges a failed recording without queuing a voicemail', async () => {
    const { post, queued } = setup();
    const form = { ...params('call_recording_completed'), RecordingStatus: 'failed' };
    expect((await post(`${BASE}${VOICE_ROUTES.recording}${CALLER_QUERY}`, form)).status).toBe(204);
    expect(queued).toEqual([]);
  });

  it('acknowledges a recording callback whose URL does not name the caller, queuing nothing', async () => {
    const { post, queued } = setup();
    // A genuine Twilio request: 400 would only make Twilio retry it; there is nobody to file it under.
    expect((await post(`${BASE}${VOICE_ROUTES.recording}`, params('call_recording_completed'))).status).toBe(
      204,
    );
    expect(queued).toEqual([]);
  });

  it('answers 403 when the caller in a recording callback URL was changed after signing', async () => {
    const { post, queued } = setup();
    const res = await post(
      `${BASE}${VOICE_ROUTES.recording}?From=%2B16505551234`,
      params('call_recording_completed'),
      {
        signedUrl: `${BASE}${VOICE_ROUTES.recording}${CALLER_QUERY}`,
      },
    );
    expect(res.status).toBe(403);
    expect(queued).toEqual([]);
  });
});

describe('Twilio voice: refusals', () => {
  const routes = [
    [VOICE_ROUTES.incoming, 'call_incoming'],
    [`${VOICE_ROUTES.recording}${CALLER_QUERY}`, 'call_recording_completed'],
    [VOICE_ROUTES.transcription, 'call_transcription_completed'],
    [VOICE_ROUTES.status, 'call_status_completed'],
    [VOICE_ROUTES.afterRecord, 'call_after_record'],
  ] as const;

  it.each(routes)('%s answers 403 and queues nothing without a signature', async (path, fixture) => {
    const { post, queued } = setup();
    const res = await post(`${BASE}${path}`, params(fixture), { header: null });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(queued).toEqual([]);
  });

  it.each(routes)('%s answers 403 for a signature made with another token', async (path, fixture) => {
    const { post, queued } = setup();
    const form = params(fixture);
    const header = twilio.getExpectedTwilioSignature('another_token', `${BASE}${path}`, form);
    expect((await post(`${BASE}${path}`, form, { header })).status).toBe(403);
    expect(queued).toEqual([]);
  });

  it.each(routes)('%s answers 403 when a query parameter was added', async (path, fixture) => {
    const { post } = setup();
    const added = `${BASE}${path}${path.includes('?') ? '&' : '?'}replay=1`;
    expect((await post(added, params(fixture), { signedUrl: `${BASE}${path}` })).status).toBe(403);
  });

  it.each(routes)(
    '%s answers 403 for a forged form of more parameters than Twilio sends, 400 for a signed one',
    async (path, fixture) => {
      const { post, queued } = setup();
      const form = {
        ...params(fixture),
        ...Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`P${i}`, 'x'])),
      };
      expect((await post(`${BASE}${path}`, form, { header: null })).status).toBe(403);
      const forged = twilio.getExpectedTwilioSignature('another_token', `${BASE}${path}`, form);
      expect((await post(`${BASE}${path}`, form, { header: forged })).status).toBe(403);
      expect((await post(`${BASE}${path}`, form)).status).toBe(400);
      expect(queued).toEqual([]);
    },
  );

  it.each(routes)('%s answers 413 for a body over the limit', async (path, fixture) => {
    const { post } = setup({ maxBodyBytes: 256 });
    const form = { ...params(fixture), Padding: 'x'.repeat(512) };
    expect((await post(`${BASE}${path}`, form, { header: null })).status).toBe(413);
  });

  it.each(routes)('%s answers 400 for a signed body that is not a form', async (path) => {
    const { app } = setup();
    const body = '{"CallSid":"CA1"}';
    const url = `${BASE}${path}${path.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const { pathname, search } = new URL(url);
    const res = await app.request(`${pathname}${search}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, url, {}),
      },
      body,
    });
    expect(res.status).toBe(400);
  });

  it.each(routes.filter(([path]) => path !== VOICE_ROUTES.afterRecord && path !== VOICE_ROUTES.incoming))(
    '%s answers 503 when the queue fails',
    async (path, fixture) => {
      const { post } = setup({ queueError: new Error('socket hang up') });
      const res = await post(`${BASE}${path}`, params(fixture));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    },
  );
});
