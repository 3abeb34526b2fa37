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
 * "Voicemail (33 s)"; a message with no words, what it holds ("Photo", "Mentioned you in their story",
 * "Came from an ad"). Undefined for anything else (a call that left nothing, an empty voicemail, an
 * unsupported message with nothing visible in it).
 */
export function previewOf(
  item: Pick<TimelineItem, 'type' | 'channel' | 'text' | 'data'> &
    Partial<Pick<TimelineItem, 'event' | 'contentType' | 'attachments'>>,
): string | undefined {
  if (item.type === 'event' && item.event === 'call_voicemail') return voicemailPreview(item.data);
  if (item.type !== 'message') return undefined;
  const subject = item.channel === 'email' ? item.data?.subject : undefined;
  const source = typeof subject === 'string' && hasVisibleText(subject) ? subject : item.text;
  const head = source ? headOf(source, READ_CHARACTERS) : '';
  const words = head.replace(/\s+/g, ' ').trim();
  if (!source || !hasVisibleText(words)) return contentPreview(item);
  const whole = headOf(words, PREVIEW_UNITS, PREVIEW_CHARACTERS);
  if (whole.length === words.length && head.length === source.length) return words;
  const cut = headOf(words, PREVIEW_UNITS - 1, PREVIEW_CHARACTERS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > PREVIEW_CHARACTERS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** What a message without words holds, by its content type's label. */
const CONTENT_LABELS: Partial<Record<NonNullable<TimelineItem['contentType']>, string>> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  document: 'File',
  sticker: 'Sticker',
  location: 'Location',
  contacts: 'Contact card',
};

/**
 * The preview of a message with no words (a photo alone, a story mention, the ad a customer came from):
 * what it holds, in the console's words for it, so its inbox row is not blank; undefined when it holds
 * nothing we can name (an unsupported message).
 */
function contentPreview(
  item: Pick<TimelineItem, 'data' | 'contentType' | 'attachments'>,
): string | undefined {
  const data = item.data ?? {};
  const types = Array.isArray(data.attachmentTypes) ? data.attachmentTypes : [];
  if (types.includes('story_mention')) return 'Mentioned you in their story';
  if (types.some((type) => type === 'share' || type === 'ig_post' || type === 'post')) return 'Shared a post';
  const label = item.contentType === undefined ? undefined : CONTENT_LABELS[item.contentType];
  if (label) return label;
  const first = item.attachments?.[0]?.kind;
  if (first) return CONTENT_LABELS[first === 'file' ? 'document' : first];
  const referral = data.referral;
  if (typeof referral === 'object' && referral !== null) {
    const { source } = referral as Record<string, unknown>;
    return source === 'ADS' || 'ads_context_data' in referral ? 'Came from an ad' : 'Came from a link';
  }
  return undefined;
}

/** A voicemail's preview, its length (its words come later, in a transcription); none for an empty one. */
function voicemailPreview(data: TimelineItem['data']): string | undefined {
  const seconds = data?.durationSeconds;
  if (isEmptyRecording(seconds)) return undefined;
  return typeof seconds === 'number' ? `Voicemail (${seconds} s)` : 'Voicemail';
}
