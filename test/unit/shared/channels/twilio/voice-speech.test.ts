import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { VOICE_ROUTES } from '#shared/channels/twilio/voice-webhook.js';
import { DEFAULT_VOICE_FAREWELL, DEFAULT_VOICE_GREETING, loadConfig } from '#shared/config/config.js';
import { voiceAnswers } from '#shared/config/voice-settings.js';
import {
  TWILIO_BASE as BASE,
  CALLER_QUERY,
  twilioParams as params,
  RETRY_OVERRIDES,
  voiceApp as setup,
} from '../../../../support/twilio-voice-app.js';

const SPANISH = { language: 'es-MX', voice: 'Polly.Mia', transcribe: false };

/** twilio-node's answer for a line speaking `speech`, recording without transcription when it says so. */
function spanishAnswer(greeting: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say({ voice: 'Polly.Mia', language: 'es-MX' }, greeting);
  response.record({
    action: `${BASE}/webhooks/twilio/voice/after-record${RETRY_OVERRIDES}`,
    method: 'POST',
    maxLength: 120,
    playBeep: true,
    recordingStatusCallback: `${BASE}/webhooks/twilio/voice/recording${CALLER_QUERY}${RETRY_OVERRIDES}`,
  });
  return response.toString();
}

describe('a voice line in another language (VOICE_SAY_LANGUAGE, VOICE_SAY_VOICE, VOICE_FAREWELL, VOICE_TRANSCRIBE)', () => {
  it('greets in the line’s language and voice, and records without English transcription', async () => {
    const { post } = setup({ greeting: 'Deje su mensaje después del tono.', speech: SPANISH });
    const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, params('call_incoming'));
    expect(await res.text()).toBe(spanishAnswer('Deje su mensaje después del tono.'));
  });

  it('thanks the caller with VOICE_FAREWELL in the same voice', async () => {
    const { post } = setup({ speech: SPANISH, farewell: 'Gracias. Adiós.' });
    const res = await post(`${BASE}${VOICE_ROUTES.afterRecord}`, params('call_after_record'));
    const farewell = new twilio.twiml.VoiceResponse();
    farewell.say({ voice: 'Polly.Mia', language: 'es-MX' }, 'Gracias. Adiós.');
    farewell.hangup();
    expect(await res.text()).toBe(farewell.toString());
  });

  it('tells a withheld caller in the same voice', async () => {
    const { post } = setup({ speech: SPANISH, withheldMessage: 'Llame con su número visible.' });
    const res = await post(`${BASE}${VOICE_ROUTES.incoming}`, {
      ...params('call_incoming'),
      From: 'anonymous',
    });
    expect(await res.text()).toContain(
      '<Say voice="Polly.Mia" language="es-MX">Llame con su número visible.</Say>',
    );
  });
});

describe('voiceAnswers', () => {
  const config = (env: Record<string, string>) => loadConfig({ ...env });

  it('keeps Twilio’s defaults and English transcription when nothing is set', () => {
    expect(voiceAnswers(config({}))).toEqual({
      greeting: DEFAULT_VOICE_GREETING,
      closedGreeting: expect.any(String),
      withheldMessage: expect.any(String),
      farewell: DEFAULT_VOICE_FAREWELL,
      speech: { language: undefined, voice: undefined, transcribe: true },
    });
  });

  it.each([
    [{ VOICE_SAY_LANGUAGE: 'es-MX' }, false],
    [{ VOICE_SAY_LANGUAGE: 'en-US' }, true],
    [{ VOICE_SAY_LANGUAGE: 'en-GB' }, false],
    [{ VOICE_SAY_LANGUAGE: 'es-MX', VOICE_TRANSCRIBE: 'true' }, true],
    [{ VOICE_TRANSCRIBE: 'false' }, false],
  ])('transcribes with %o: %s', (env, transcribe) => {
    expect(voiceAnswers(config(env)).speech.transcribe).toBe(transcribe);
  });

  it.each([
    ['VOICE_SAY_LANGUAGE', 'spanish'],
    ['VOICE_SAY_LANGUAGE', 'es-MX" onload="x'],
    ['VOICE_SAY_VOICE', 'Polly Lupe'],
    ['VOICE_TRANSCRIBE', 'yes'],
    ['VOICE_FAREWELL', '   '],
  ])('refuses %s=%j at start, naming it', (name, value) => {
    expect(() => config({ [name]: value })).toThrow(name);
  });
});
