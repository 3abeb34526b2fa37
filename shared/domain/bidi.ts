import { withoutBidiControls } from '../validation/bidi-controls.js';

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

export { withoutBidiControls };

/** JSON as a screen shows it: every string value without bidi controls (see withoutBidiControls). */
export const parseShownJson = (json: string): unknown =>
  JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'string' ? withoutBidiControls(value) : value,
  );
