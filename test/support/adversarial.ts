import { phoneIdentity } from '#shared/channels/normalised.js';
import { messageIds } from '#shared/channels/ses/mail-content.js';
import { splitQuoted } from '#shared/channels/ses/quoted.js';
import { addressIdentity } from '#shared/channels/twilio/params.js';
import { twilioSignedUrl } from '#shared/channels/twilio/signature.js';
import { normaliseEmail, providerPhone } from '#shared/domain/addresses.js';
import { normalisePhone } from '#shared/domain/identity.js';
import { mentionedIdentities } from '#shared/domain/mentions.js';
import { asksForPerson } from '#shared/domain/responder.js';
import { findKeyword } from '#shared/domain/routing/keywords.js';
import { maskPersonalData } from '#shared/responder/bedrock-responder.js';
import { splitSegments } from '#shared/responder/knowledge-base-segments.js';

/** About 1 MB: what each function below is given. */
export const ADVERSARIAL_LENGTH = 1_000_000;

/** One function that runs regular expressions on text from outside, and the input that is worst for them. */
export interface AdversarialCase {
  /** The function, named as its module exports it. */
  subject: string;
  /** What the input is made of. */
  shape: string;
  input: () => string;
  run: (input: string) => unknown;
}

/** `unit` repeated to ADVERSARIAL_LENGTH characters, between `before` and `after`. */
const run = (unit: string, before = '', after = '') =>
  `${before}${unit.repeat(Math.ceil(ADVERSARIAL_LENGTH / unit.length))}${after}`;

const cases = (subject: string, fn: (input: string) => unknown, shapes: Record<string, () => string>) =>
  Object.entries(shapes).map(([shape, input]): AdversarialCase => ({ subject, shape, input, run: fn }));

/** Every function on outside text with the inputs that would make a backtracking regex super-linear. */
export const ADVERSARIAL_CASES: readonly AdversarialCase[] = [
  ...cases('ses splitQuoted', splitQuoted, {
    'spaces inside a line': () => run(' ', 'a', 'b'),
    'tabs and spaces before a newline': () => run(' \t', 'a', '\nb'),
    'newlines between two words': () => run('\n', 'a', 'b'),
    'carriage returns': () => run('\r', 'a', 'b'),
    'nested quotes': () => run('>', '', ' a'),
    'lines opening an attribution': () => run('On a\n'),
    'attribution-like lines': () => run('On a wrote :\n'),
    'short lines': () => run('a\n'),
    'quote then attributions': () => run('On a:\n', '> a\n\n'),
    'one long attribution line': () => run('a ', 'On ', 'wrote'),
    'dashes without a marker': () => run('-', '--', 'x'),
    'underscore rules': () => run(`${'_'.repeat(20)}\n`),
    'header lines': () => run('From: a\n'),
  }),
  ...cases('ses messageIds', messageIds, {
    'open angle brackets': () => run('<'),
    'unclosed ids': () => run('<a'),
    separators: () => run(' ,'),
  }),
  ...cases('bedrock maskPersonalData', (text) => maskPersonalData(text, ['Smith', 'van']), {
    'letters without @': () => run('a'),
    digits: () => run('1', ' ', 'a'),
    'a@ pairs': () => run('a@'),
    'dotted domain': () => run('a.', 'x@', '1'),
    'separated digits': () => run('1 ', '(', 'a'),
    'name prefixes': () => run('Smit'),
    'percent and plus': () => run('%+'),
  }),
  ...cases('domain normaliseEmail', normaliseEmail, {
    'dots after @': () => run('.', 'a@', ' '),
    'a@ pairs': () => run('a@'),
    'angle brackets': () => run('<'),
    'dotted labels between two @': () => run('a.', 'x <a@', '@>'),
  }),
  ...cases('domain normalisePhone', (text) => normalisePhone(text), {
    digits: () => run('1'),
    'separated digits': () => run('1 ', '+'),
  }),
  ...cases('domain providerPhone', (text) => providerPhone(text), {
    'separated digits': () => run('1 ', '+'),
  }),
  ...cases('domain mentionedIdentities', (text) => mentionedIdentities(text, {}), {
    'separated digits': () => run('1 '),
    'a@ pairs': () => run('a@'),
    'dotted domains': () => run(`${'a'.repeat(64)}@${'a.'.repeat(120)}!`),
  }),
  ...cases('domain asksForPerson', (text) => asksForPerson(text, 'en'), {
    'repeated openings': () => run('speak to '),
    words: () => run('agent real '),
    'accents and spaces': () => run('é '),
  }),
  ...cases('routing findKeyword', (text) => findKeyword(text, ['refund now', 'a b c']), {
    words: () => run('a '),
  }),
  ...cases('channels phoneIdentity', (text) => phoneIdentity(text), { digits: () => run('1', '+') }),
  ...cases('twilio addressIdentity', addressIdentity, {
    'BSUID-like': () => run('.a', 'whatsapp:IN', '!'),
    'whatsapp prefix': () => run('1', 'whatsapp:+'),
  }),
  // The message is cut to its first 2,000 characters; a closing and a signed name are looked for at its end.
  ...cases('responder splitSegments', splitSegments, {
    'a closing, then one long word': () => run('a', 'ok. thanks ', '?'),
    'a closing, then commas': () => run(',', 'ok. thanks', '?'),
    'a closing, then a capitalised run': () => run('A', 'ok. kind regards, '),
    'closings one after another': () => run('ok. thanks. '),
  }),
  // PUBLIC_BASE_URL is a setting, not outside text, but its trailing-slash trim was quadratic all the same.
  ...cases(
    'twilio twilioSignedUrl',
    (base) => twilioSignedUrl('https://fn.example/webhooks/twilio/sms', base),
    {
      'slashes inside the base URL': () => run('/', 'https://h', 'x'),
    },
  ),
];

/** Milliseconds one case takes, measured around the call alone (the input is built first). */
export function timeCase(adversarial: AdversarialCase): number {
  const input = adversarial.input();
  const start = performance.now();
  adversarial.run(input);
  return performance.now() - start;
}
