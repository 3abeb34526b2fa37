import type { Envelope } from '../domain/envelope.js';
import { headOf } from '../domain/text-cut.js';

/**
 * The longest text an envelope keeps, in UTF-8 bytes: a 100 kB message is kept whole, and with its raw
 * event (MAX_RAW_BYTES) it stays inside the queue's message (SQS's 1 MiB) and the timeline's items
 * (DynamoDB's 400 KB; the raw event is kept aside). Messenger takes 2,000 characters, Instagram 1,000
 * and WhatsApp 4,096, so only a forged or broken event comes near it.
 */
export const MAX_TEXT_BYTES = 256 * 1024;

/** The largest raw event kept as it came, in bytes of JSON; a larger one has its long strings cut. */
export const MAX_RAW_BYTES = 320 * 1024;

/** A string of a raw event over this many UTF-16 units is cut to it, when the event is over MAX_RAW_BYTES. */
const RAW_STRING_UNITS = 4096;

/** An envelope larger than this once cut (bytes of JSON) is skipped: SQS would refuse it. */
export const MAX_ENVELOPE_BYTES = 960 * 1024;

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * An envelope as the queue and the timeline can hold it: an over-long text is cut at a character
 * boundary to MAX_TEXT_BYTES and ends with "…", its data saying so (`truncated`, `truncatedFields`
 * `text`, as a long email's; `textLength`, the characters it had), and the raw event keeps its long
 * strings' starts only. `cut` names what was cut (for the log line); `tooLarge` is set, in bytes, for an
 * envelope still too large, which the caller skips.
 */
export function boundEnvelope(envelope: Envelope): { envelope: Envelope; cut: string[]; tooLarge?: number } {
  const cut: string[] = [];
  let bounded = envelope;
  const text = envelope.kind === 'message' || envelope.kind === 'edit' ? envelope.text : undefined;
  // A UTF-16 unit is at most 3 bytes: a shorter text needs no count.
  if (text !== undefined && text.length * 3 > MAX_TEXT_BYTES && bytesOf(text) > MAX_TEXT_BYTES) {
    const kept = `${cutAt(text, MAX_TEXT_BYTES - 3)}…`;
    if (envelope.kind === 'message') {
      const data = envelope.data ?? {};
      const fields = Array.isArray(data.truncatedFields) ? data.truncatedFields : [];
      const truncatedFields = [...new Set([...fields, 'text'])];
      const marks = { truncated: true, truncatedFields, textLength: text.length };
      bounded = { ...envelope, text: kept, data: { ...data, ...marks } };
    } else if (envelope.kind === 'edit') {
      bounded = { ...envelope, text: kept };
    }
    cut.push('text');
  }
  if (bounded.raw !== undefined) {
    const raw = JSON.stringify(bounded.raw);
    if (raw !== undefined && raw.length * 3 > MAX_RAW_BYTES && bytesOf(raw) > MAX_RAW_BYTES) {
      const short = cutStrings(bounded.raw, 0);
      const fits = bytesOf(JSON.stringify(short) ?? '') <= MAX_RAW_BYTES;
      bounded = { ...bounded, raw: fits ? short : { omitted: 'larger than 320 KiB', bytes: bytesOf(raw) } };
      cut.push('raw');
    }
  }
  if (cut.length === 0) return { envelope, cut };
  const bytes = bytesOf(JSON.stringify(bounded));
  return bytes > MAX_ENVELOPE_BYTES
    ? { envelope: bounded, cut, tooLarge: bytes }
    : { envelope: bounded, cut };
}

/** How far back from a byte cut a character boundary is looked for (no character is longer). */
const LOOK_BACK_UNITS = 64;

/**
 * The start of `text` of at most `maxBytes` bytes of UTF-8, ending between two user-perceived
 * characters: cut on the byte budget, then back to the last boundary of its last 64 units (segmenting
 * only them: a whole long text would take seconds).
 */
function cutAt(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  const units = bytes.replace(/\uFFFD$/, '').length;
  const from = Math.max(0, units - LOOK_BACK_UNITS);
  return text.slice(0, from) + headOf(text.slice(from), units - from);
}

/** A JSON value whose strings over RAW_STRING_UNITS keep their start, with "…"; depth-bounded by its parse. */
function cutStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string')
    return value.length > RAW_STRING_UNITS ? `${headOf(value, RAW_STRING_UNITS - 1)}…` : value;
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutStrings(item, depth + 1)]));
}
