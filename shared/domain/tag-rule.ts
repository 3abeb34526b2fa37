/**
 * What a customer's tag may be, as the API checks it and the console says it before sending: 1 to 64
 * letters, digits and `_ . : -` (no spaces), at most 50 in one change.
 */
export const TAG_RULE = {
  pattern: /^[\w.:-]+$/,
  maxLength: 64,
  maxPerChange: 50,
  /** The characters allowed, in words (the API's message for a tag that has others). */
  allowed: 'letters, digits, _ . : -',
} as const;
