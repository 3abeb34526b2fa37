import type { VoiceSpeech } from '../channels/twilio/twiml.js';
import type { Config } from './config.js';

/** What the voice webhooks say, and how: the VOICE_* settings as the answers take them. */
export interface VoiceAnswers {
  greeting: string;
  closedGreeting: string;
  withheldMessage: string;
  farewell: string;
  speech: VoiceSpeech;
}

/**
 * The VOICE_* settings for the voice webhooks. Transcription follows VOICE_TRANSCRIBE; unset, it runs
 * only for an English (US) line, Twilio's native transcription being American English only: a Spanish
 * voicemail would be billed and come back as English words it never said.
 */
export function voiceAnswers(config: Config): VoiceAnswers {
  const language = config.VOICE_SAY_LANGUAGE;
  const transcribe =
    config.VOICE_TRANSCRIBE === undefined
      ? language === undefined || language.toLowerCase() === 'en-us'
      : config.VOICE_TRANSCRIBE === 'true';
  return {
    greeting: config.VOICE_GREETING,
    closedGreeting: config.VOICE_CLOSED_GREETING,
    withheldMessage: config.VOICE_WITHHELD_MESSAGE,
    farewell: config.VOICE_FAREWELL,
    speech: { language, voice: config.VOICE_SAY_VOICE, transcribe },
  };
}
