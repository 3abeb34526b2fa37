import { bearerToken } from '#shared/api/guard.js';
import { phoneIdentity } from '#shared/channels/normalised.js';
import { relabelledMime } from '#shared/channels/ses/charsets.js';
import { cutAtBoundary, multipartBoundaries } from '#shared/channels/ses/mail-body.js';
import { isMachineSender, messageIds } from '#shared/channels/ses/mail-content.js';
import { splitQuoted } from '#shared/channels/ses/quoted.js';
import { subjectOf } from '#shared/channels/ses/reply-headers.js';
import { addressIdentity } from '#shared/channels/twilio/params.js';
import { twilioSignedUrl } from '#shared/channels/twilio/signature.js';
import { normaliseEmail, providerPhone } from '#shared/domain/addresses.js';
import { normalisePhone, phoneIdentityKey } from '#shared/domain/identity.js';
import { detectLanguage } from '#shared/domain/language.js';
import { mentionedIdentities } from '#shared/domain/mentions.js';
import { asksForPerson } from '#shared/domain/responder.js';
import { findKeyword } from '#shared/domain/routing/keywords.js';
import { languageOfText } from '#shared/domain/routing/message-language.js';
import { CustomerSchema, TimelineItemSchema } from '#shared/domain/timeline.js';
import { withoutSpacedNumbers } from '#shared/log.js';
import { maskPersonalData } from '#shared/responder/bedrock-responder.js';
import {
  askedKinds,
  askingWords,
  givenKinds,
  passageStatements,
} from '#shared/responder/knowledge-base-answer-types.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { createKnowledgeBaseResponder } from '#shared/responder/knowledge-base-responder.js';
import {
  isQuestion,
  MAX_QUERY_CHARS,
  splitSegments,
  withoutAsides,
} from '#shared/responder/knowledge-base-segments.js';
import { scoreSentiment } from '#shared/responder/text-signals.js';

/** About 1 MB: what each function below is given. */
export const ADVERSARIAL_LENGTH = 1_000_000;

/** What the responder is given of a message: its first MAX_QUERY_CHARS characters, as the resolver cuts it. */
export const RESPONDER_INPUT_LENGTH = MAX_QUERY_CHARS;

/** One function that runs regular expressions on text from outside, and the input that is worst for them. */
export interface AdversarialCase {
  /** The function, named as its module exports it. */
  subject: string;
  /** What the input is made of. */
  shape: string;
  /** The input's length at least: ADVERSARIAL_LENGTH, or what the function is given at most. */
  length: number;
  input: () => string;
  /** What is done once before the timing (the responder builds its index on the first message). */
  prepare?: () => Promise<unknown>;
  run: (input: string) => unknown;
}

/** `unit` repeated to ADVERSARIAL_LENGTH characters, between `before` and `after`. */
const run = (unit: string, before = '', after = '') =>
  `${before}${unit.repeat(Math.ceil(ADVERSARIAL_LENGTH / unit.length))}${after}`;

const cases = (subject: string, fn: (input: string) => unknown, shapes: Record<string, () => string>) =>
  Object.entries(shapes).map(
    ([shape, input]): AdversarialCase => ({ subject, shape, length: ADVERSARIAL_LENGTH, input, run: fn }),
  );

/** RESPONDER_INPUT_LENGTH characters exactly: `before`, `unit` repeated, `after` (which the cut keeps). */
const message = (unit: string, before = '', after = '') => {
  const fill = RESPONDER_INPUT_LENGTH - before.length - after.length;
  return `${before}${unit.repeat(Math.ceil(fill / unit.length)).slice(0, fill)}${after}`;
};

/** Hostile messages of the length the responder reads: the shapes a backtracking pattern is slowest on. */
const MESSAGE_SHAPES: Record<string, () => string> = {
  'repeated words': () => message('where is my order '),
  'one word, no spaces': () => message('a'),
  'punctuation runs': () => message('?!.,;:-'),
  'mixed scripts': () => message('aб γ中ع€ '),
  'mixed scripts, no spaces': () => message('aбγ中ع'),
  'thanks, one long word and a question mark': () => message('a', 'thanks ', '?'),
  'a closing, one long word': () => message('a', 'ok. thanks ', '?'),
  'digits and separators': () => message('1 -('),
  capitals: () => message('NOT HERE '),
  'question openings': () => message('how long when will how much '),
  'order numbers': () => message('order 55102 has it '),
  'lines of one letter': () => message('a\n'),
  commas: () => message('a,'),
  emoji: () => message('\u{1F621}'),
  'one-word questions': () => message('a? '),
  'short sentences': () => message('where is it. '),
  'closings one after another': () => message('ok. thanks. '),
  'greetings one after another': () => message('Hi Ana, '),
  'misspelt words': () => message('shiping retrun refnud '),
  'long words': () => message('abcdefghijklmnopqrstuvwxyz '),
  'a person asked for again and again': () => message('speak to a real '),
  'joined questions': () => message('how long and how much and '),
};

let responder: ReturnType<typeof createKnowledgeBaseResponder> | undefined;
/** The knowledge-base responder's whole answer to one web-chat message of `text`. */
const answer = (text: string) => {
  responder ??= createKnowledgeBaseResponder({ folder: SAMPLE_KNOWLEDGE_BASE });
  const at = '2026-06-01T09:00:00.000Z';
  return responder.respond({
    customer: CustomerSchema.parse({
      id: 'cu_adversarial',
      name: 'Ada',
      identities: [{ kind: 'webchat_visitor', value: 'v_adversarial' }],
      channels: ['webchat'],
      createdAt: at,
      openConversationId: 'cv_adversarial',
    }),
    timeline: [
      TimelineItemSchema.parse({
        id: 'webchat:v.adversarial',
        type: 'message',
        channel: 'webchat',
        direction: 'inbound',
        text,
        at,
        customerId: 'cu_adversarial',
        conversationId: 'cv_adversarial',
        contentType: 'text',
      }),
    ],
  });
};

const messageCases = (subject: string, fn: (input: string) => unknown, prepare?: () => Promise<unknown>) =>
  Object.entries(MESSAGE_SHAPES).map(
    ([shape, input]): AdversarialCase => ({
      subject,
      shape,
      length: RESPONDER_INPUT_LENGTH,
      input,
      run: fn,
      ...(prepare ? { prepare } : {}),
    }),
  );

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
    'answers between quoted lines': () => run('> a\nb\n', 'c\n'),
    'attributions over answers': () => run('On a <a@b> wrote:\n> q\nb\n', 'c\n'),
    'rules over label lines': () => run(`${'_'.repeat(20)}\nA b: a@b\nC: 2026 10:06\nE: f\n`, 'a\n'),
    'one long label-like line under a rule': () => run('a', `a\n${'_'.repeat(20)}\n`, ':'),
  }),
  ...cases('ses messageIds', messageIds, {
    'open angle brackets': () => run('<'),
    'unclosed ids': () => run('<a'),
    separators: () => run(' ,'),
  }),
  ...cases('ses isMachineSender', isMachineSender, {
    'a no-reply tail': () => run('-', 'noreply', '@x'),
    'separator runs': () => run('-.'),
  }),
  ...cases('ses subjectOf', (text) => subjectOf(text, true), {
    'reply prefixes': () => run('Re: Aw: '),
    'prefixes without a colon': () => run('re '),
    counters: () => run('Re[1]'),
  }),
  ...cases('ses relabelledMime', (text) => relabelledMime(Buffer.from(text, 'latin1')), {
    'folded lines before a charset': () => run(' ', '', 'charset=utf-8'),
    'charset= without a value': () => run('\n\tcharset='),
    'bare text types': () => run('Content-Type: text/plain \n'),
    'unclosed encoded-words': () => run('=?utf-8?q?\xe9'),
    'high bytes in the headers': () => run('\xe9'),
  }),
  ...cases('ses multipartBoundaries', (text) => multipartBoundaries(Buffer.from(text, 'latin1')), {
    'boundary= without a value': () => run('boundary='),
    'unclosed quotes': () => run('boundary="a'),
    'spaces after =': () => run('boundary= '),
  }),
  ...cases('ses cutAtBoundary', (text) => cutAtBoundary(text, new Set(['b1', 'b2--'])), {
    'dash lines': () => run('--b\n'),
    'one long dash line': () => run('-'),
    'near-boundary lines': () => run('--b1x\n'),
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
  ...cases('api bearerToken', bearerToken, {
    'spaces after the scheme': () => run(' ', 'Bearer'),
    'spaces, then a long token': () => run(' ', 'bearer', 'x'.repeat(5000)),
    'a token with spaces in it': () => run('a ', 'Bearer '),
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
  ...cases('domain phoneIdentityKey', phoneIdentityKey, {
    'Brazilian digits': () => run('9', '+5541'),
    'Mexican digits': () => run('1', '+521'),
    'Argentine digits': () => run('1', '+549'),
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
  // errorFields reads 800 characters at most; its pattern is timed here on the whole run.
  ...cases('log withoutSpacedNumbers', withoutSpacedNumbers, {
    'one-digit groups': () => run('1 '),
    'bracketed groups': () => run('(1234) '),
    'groups of five digits': () => run('+12345 '),
    'groups ending in a letter': () => run('1 2 3 4 5 6 7 8a '),
  }),
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
  // The knowledge-base responder as a whole (segments, signals, answer types, search, the reply), and
  // the checks it runs on the customer's words, on the longest message it reads.
  ...messageCases('responder answer', answer, () => answer('How long does shipping take?')),
  ...messageCases('text-signals scoreSentiment', scoreSentiment),
  ...messageCases('language detectLanguage', detectLanguage),
  ...messageCases('routing languageOfText', languageOfText),
  ...messageCases('answer-types askedKinds', askedKinds),
  ...messageCases('answer-types askingWords', askingWords),
  ...messageCases('answer-types givenKinds', givenKinds),
  ...messageCases('answer-types passageStatements', (text) => passageStatements(text, (t) => t.split(' '))),
  ...messageCases('segments isQuestion', isQuestion),
  ...messageCases('segments withoutAsides', withoutAsides),
  // PUBLIC_BASE_URL is a setting, not outside text, but its trailing-slash trim was quadratic all the same.
  ...cases(
    'twilio twilioSignedUrl',
    (base) => twilioSignedUrl('https://fn.example/webhooks/twilio/sms', base),
    {
      'slashes inside the base URL': () => run('/', 'https://h', 'x'),
    },
  ),
];

/** Milliseconds one case takes, measured around the call alone (the input is built and `prepare` run first). */
export async function timeCase(adversarial: AdversarialCase): Promise<number> {
  const input = adversarial.input();
  await adversarial.prepare?.();
  const start = performance.now();
  await adversarial.run(input);
  return performance.now() - start;
}
