/** TwiML that sends no reply: Twilio needs a Content-Type, and `text/xml` with an empty Response is silent. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

// Transcription only runs on recordings shorter than 120 s (providers.md §1.6), so no message may be longer.
const MAX_RECORDING_SECONDS = 120;

/** The absolute callback URLs of the `<Record>` verb. */
export interface RecordCallbacks {
  action: string;
  transcribeCallback: string;
  recordingStatusCallback: string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** How the answers speak: `<Say>`'s language and voice (Twilio's defaults when unset), and whether voicemails are transcribed. */
export interface VoiceSpeech {
  language?: string | undefined;
  voice?: string | undefined;
  /** Twilio's native transcription: paid, American English only (providers.md §1.6). */
  transcribe: boolean;
}

/** Twilio's defaults: its en-US voice, and voicemails transcribed. */
export const DEFAULT_SPEECH: VoiceSpeech = { transcribe: true };

/**
 * The answer to an incoming call: the greeting, then a recording of at most 120 s, transcribed when
 * `speech.transcribe` (without it, no transcription callback either: Twilio sends it only to a
 * transcribed recording).
 */
export function answerTwiml(
  greeting: string,
  callbacks: RecordCallbacks,
  speech: VoiceSpeech = DEFAULT_SPEECH,
): string {
  const record = [
    `action="${xmlAttribute(callbacks.action)}"`,
    'method="POST"',
    `maxLength="${MAX_RECORDING_SECONDS}"`,
    'playBeep="true"',
    ...(speech.transcribe
      ? ['transcribe="true"', `transcribeCallback="${xmlAttribute(callbacks.transcribeCallback)}"`]
      : []),
    `recordingStatusCallback="${xmlAttribute(callbacks.recordingStatusCallback)}"`,
  ].join(' ');
  return `${XML_DECLARATION}<Response>${sayTwiml(greeting, speech)}<Record ${record}/></Response>`;
}

/** The answer once the message is recorded: thanks, then hang up. */
export function farewellTwiml(farewell: string, speech: VoiceSpeech = DEFAULT_SPEECH): string {
  return `${XML_DECLARATION}<Response>${sayTwiml(farewell, speech)}<Hangup/></Response>`;
}

/** `<Say>` of the words in the speech's language and voice; nothing for no words. */
function sayTwiml(words: string, speech: VoiceSpeech): string {
  if (!words.trim()) return '';
  const attributes = [
    speech.voice ? ` voice="${xmlAttribute(speech.voice)}"` : '',
    speech.language ? ` language="${xmlAttribute(speech.language)}"` : '',
  ].join('');
  return `<Say${attributes}>${xmlText(words)}</Say>`;
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
