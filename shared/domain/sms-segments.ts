/**
 * GSM 03.38's basic alphabet: a text of these alone goes as GSM-7, one 7-bit unit a character (the
 * escape itself is not a character of its own).
 */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** GSM 03.38's extension table: each goes as an escape and the character, 2 units. */
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

/** How an SMS goes out: its encoding, its length in that encoding's units, and the segments it takes. */
export interface SmsSegments {
  /** GSM-7 when every character is in the GSM alphabet, else UCS-2 (Unicode) for the whole text. */
  encoding: 'GSM-7' | 'UCS-2';
  /** GSM-7 septets (an extension character is 2), or UCS-2's UTF-16 units (an emoji is 2). */
  units: number;
  /** The SMS segments the text is sent and billed as; 0 for no text. */
  segments: number;
}

/** One message's room in units, and each segment's when it is split (the rest is the joining header). */
const ROOM = { 'GSM-7': { single: 160, part: 153 }, 'UCS-2': { single: 70, part: 67 } } as const;

/**
 * The encoding and segments of an SMS text, as the carrier network takes it: GSM-7 (160 a message, 153
 * a segment once split; `^{}\[~]|€` and form feed count 2) unless a character is outside the GSM
 * alphabet, then UCS-2 for all of it (70, then 67; a character beyond 16 bits, such as an emoji, is 2).
 * A character is never split between two segments. Linear in the text's length.
 */
export function smsSegments(text: string): SmsSegments {
  const chars = Array.from(text);
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c));
  const encoding = gsm ? 'GSM-7' : 'UCS-2';
  const sizes = chars.map((c) => (gsm ? (GSM_EXTENSION.has(c) ? 2 : 1) : c.length));
  const units = sizes.reduce((sum, n) => sum + n, 0);
  const room = ROOM[encoding];
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= room.single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > room.part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments };
}
