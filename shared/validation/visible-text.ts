import * as z from 'zod/mini';
import { withoutBidiControls } from './bidi-controls.js';
import { wellFormed } from './primitives.js';

// What people write, as kept, shown and sent. Every expression here matches one character at a time,
// with no choice between two ways: linear in the text, whatever it holds.

/**
 * The C0 and C1 control characters and DEL, but tab, line feed and carriage return: NUL, BEL, ESC
 * and the like carry nothing a person wrote, break consumers that store C strings, and ring or steer
 * terminals that print them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Text that shows nothing: white space (U+3000 and U+00A0 included), controls, format characters
 * (zero-width space and joiners U+200B to U+200D, word joiner U+2060, BOM U+FEFF, direction marks, soft
 * hyphen, tags), variation selectors, and the fillers and blanks that are drawn as nothing (Hangul
 * fillers, Braille blank, the combining grapheme joiner).
 */
const NOTHING_VISIBLE =
  /^(?:[\s\p{Cc}\p{Cf}\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0]|\u034f|[\ufe00-\ufe0f]|[\u{e0100}-\u{e01ef}])*$/u;

/**
 * Text people write, as stored, shown and sent: well-formed (see wellFormed) and without control
 * characters other than tab and line breaks. Legitimate right-to-left marks and joiners are kept.
 */
export const cleanText = (text: string): string => wellFormed(text).replace(CONTROLS, '');

/**
 * A person's name, as stored and shown: cleanText, without bidi controls (withoutBidiControls: in a
 * name, "\u202eevil" reads "live" and turns round what follows), on one line (tabs and line breaks
 * become spaces), trimmed.
 */
export const cleanName = (name: string): string =>
  withoutBidiControls(cleanText(name))
    .replace(/[\t\n\r]+/g, ' ')
    .trim();

/** Whether `text` shows anything: not absent, empty, or nothing but white space and invisible characters. */
export const hasVisibleText = (text: string | undefined): boolean =>
  text !== undefined && !NOTHING_VISIBLE.test(text);

/** An optional string made clean (see cleanText), for the text people write. */
export const optionalText = z.optional(z.pipe(z.string(), z.transform(cleanText)));

/**
 * An optional name of at most 256 characters made clean (see cleanName); one that shows nothing is
 * none, so a provider's blank profile name never hides the one a customer had.
 */
export const optionalName = z.optional(
  z.pipe(
    z.string().check(z.maxLength(256)),
    z.transform((name: string) => {
      const clean = cleanName(name);
      return hasVisibleText(clean) ? clean : undefined;
    }),
  ),
);
