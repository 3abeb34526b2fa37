import { hasVisibleText } from '../validation/visible-text.js';
import { isEmptyRecording } from './asks-nothing.js';
import { headOf } from './text-cut.js';
import type { TimelineItem } from './timeline.js';

/**
 * A conversation's preview is at most this many characters as a reader counts them (grapheme clusters:
 * an emoji, a flag, a letter with its accent are one each), and at most PREVIEW_UNITS UTF-16 units.
 */
export const PREVIEW_CHARACTERS = 60;

/**
 * A preview's UTF-16 units at most, its ellipsis included: at most 3 bytes of UTF-8 a unit, so at most
 * 240 bytes on the item every message touches, as when it was 60 code points.
 */
const PREVIEW_UNITS = 80;

/** How much of a message is read for it, in UTF-16 units: bounded, whatever the message's length. */
const READ_CHARACTERS = PREVIEW_CHARACTERS * 4;

/**
 * The first words of a customer's message, for its conversation's `preview` (what an agent knows a
 * conversation by): an email's subject, else the text, white space folded, cut at a word boundary
 * before `PREVIEW_CHARACTERS` characters, never inside one (see text-cut.ts), with an ellipsis; a voicemail,
 * "Voicemail (33 s)". Undefined for anything else (a call that left nothing, an empty voicemail, a
 * message with nothing visible in it).
 */
export function previewOf(
  item: Pick<TimelineItem, 'type' | 'channel' | 'text' | 'data'> & Partial<Pick<TimelineItem, 'event'>>,
): string | undefined {
  if (item.type === 'event' && item.event === 'call_voicemail') return voicemailPreview(item.data);
  if (item.type !== 'message') return undefined;
  const subject = item.channel === 'email' ? item.data?.subject : undefined;
  const source = typeof subject === 'string' && hasVisibleText(subject) ? subject : item.text;
  if (!source) return undefined;
  const head = headOf(source, READ_CHARACTERS);
  const words = head.replace(/\s+/g, ' ').trim();
  if (!hasVisibleText(words)) return undefined;
  const whole = headOf(words, PREVIEW_UNITS, PREVIEW_CHARACTERS);
  if (whole.length === words.length && head.length === source.length) return words;
  const cut = headOf(words, PREVIEW_UNITS - 1, PREVIEW_CHARACTERS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > PREVIEW_CHARACTERS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A voicemail's preview, its length (its words come later, in a transcription); none for an empty one. */
function voicemailPreview(data: TimelineItem['data']): string | undefined {
  const seconds = data?.durationSeconds;
  if (isEmptyRecording(seconds)) return undefined;
  return typeof seconds === 'number' ? `Voicemail (${seconds} s)` : 'Voicemail';
}
