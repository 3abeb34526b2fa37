/**
 * The bidi embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069): characters that
 * make a browser lay out the text after them in another order than it is written, up to the end of
 * the paragraph, past the element that holds them. One character at a time: linear in the text.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (a customer's name, message, file name) without bidi controls, so it is shown in
 * the order it was written: with U+202E (right-to-left override) `invoice<U+202E>fdp.exe` reads
 * `invoiceexe.pdf`, and a name ending in one turned the rest of its line round, Threadline's own
 * words included. Right-to-left letters keep their natural direction; only the controls go.
 */
export const withoutBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, '');
