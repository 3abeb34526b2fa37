/** A right-to-left letter or mark (Hebrew, Arabic, their presentation forms, U+200F RLM). */
const RIGHT_TO_LEFT = /[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefc]/;

/**
 * A date or time in a reader's locale, set in an English line (the console's, the web chat's): isolated
 * (U+2068 FSI … U+2069 PDI) when it reads right to left, as an Arabic locale's does, whose letters and
 * marks otherwise reorder the line around it ("first response due 7.2026/12/ م 1:15"). Other locales'
 * text is left as it is.
 */
export const isolatedDate = (text: string): string =>
  RIGHT_TO_LEFT.test(text) ? `\u2068${text}\u2069` : text;

/**
 * The bidi embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069): characters that
 * make a browser lay out the text after them in another order than it is written, up to the end of
 * the paragraph, past the element that holds them.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (a customer's name, message, file name) without bidi controls, so it is shown in
 * the order it was written: with U+202E (right-to-left override) `invoice<U+202E>fdp.exe` reads
 * `invoiceexe.pdf`, and a name ending in one turned the rest of its line round, Threadline's own
 * words included. Right-to-left letters keep their natural direction; only the controls go.
 */
export const withoutBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, '');

/** JSON as a screen shows it: every string value without bidi controls (see withoutBidiControls). */
export const parseShownJson = (json: string): unknown =>
  JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'string' ? withoutBidiControls(value) : value,
  );
