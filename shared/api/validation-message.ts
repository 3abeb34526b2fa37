import * as z from 'zod';

/**
 * The validator's own words for an issue (its English default, which zod sets when the first schema is
 * made), to tell them from a message a schema gave in ours. Read from zod's config when an issue is
 * worded, not from `z.locales`: the agent API's bundle leaves zod's locales out (ZOD_WITHOUT_LOCALES),
 * and `z.locales` there is undefined, which stopped the function at its import.
 */
const validatorWords = (issue: never) => z.config().localeError?.(issue);

/** What a field of each type must be, in plain words. */
const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  date: 'a date',
  null: 'null',
};

/** What a field of each format must be, in plain words; a pattern's is never shown (see `formatWords`). */
const FORMAT_WORDS: Record<string, string> = {
  datetime: 'a date and time in ISO 8601 (2026-12-06T09:30:00Z)',
  date: 'a day, yyyy-mm-dd',
  time: 'a time of day, hh:mm:ss',
  email: 'an email address',
  url: 'a URL',
  uuid: 'a UUID',
  starts_with: 'text of the form the API gives it',
  ends_with: 'text of the form the API gives it',
  includes: 'text of the form the API gives it',
  regex: 'of the form the API gives it (see its schema in the document)',
};

/**
 * One message for every failed check, in the API's words: a field's check names the field first
 * (`tz must be at most 64 characters`); a check of the whole body or query names that (`the body must
 * be an object`), except the messages that read alone (`Unrecognized key: "evnts"`, a schema's own). A
 * message a schema gives (`limit must be a whole number from 1 to 200`) is kept as it is, once however
 * many of its checks failed; the validator's own words (`Too big: expected string to have <=64
 * characters`, `must match pattern /^msg_…$/`) never reach the caller.
 */
export function validationMessage(issues: readonly z.core.$ZodIssue[], target?: string): string {
  return [...new Set(issues.map((issue) => issueMessage(issue, target)))].join('; ');
}

function issueMessage(issue: z.core.$ZodIssue, target: string | undefined): string {
  const path = issue.path.map(String).join('.');
  const own = ownWords(issue);
  if (own !== undefined) return !path || own.startsWith(`${path} `) ? own : `${path}: ${own}`;
  return `${path || wholeOf(target)} ${plainWords(issue)}`;
}

/** The whole of what a check without a path was of. */
function wholeOf(target: string | undefined): string {
  if (target === 'json') return 'the body';
  if (target === 'query') return 'the query';
  return 'the value';
}

/** The issue's message when it is not the validator's default: a schema's own, or an unknown key's. */
function ownWords(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') return issue.message;
  const words = validatorWords(issue as never);
  const theirs = typeof words === 'string' ? words : words?.message;
  // The validator names the received type from the input, which a finished issue no longer carries.
  const base = (text: string | undefined) => text?.replace(/, received \w+$/, '');
  if (base(theirs) === base(issue.message)) return undefined;
  return issue.message;
}

/** What a field must be, after its name, from what the check was. */
function plainWords(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_WORDS[issue.expected] ?? `of type ${issue.expected}`;
      const received = / received (\w+)$/.exec(issue.message)?.[1];
      if (received === 'undefined') return `is required: ${expected}`;
      if (received === 'array' && issue.expected !== 'array') return `must be ${expected}, given once`;
      return `must be ${expected}`;
    }
    case 'too_big':
    case 'too_small':
      return sizeWords(issue);
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${String(issue.values[0])}`
        : `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return `must be ${FORMAT_WORDS[issue.format] ?? `a valid ${issue.format}`}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'is not in any form it may take';
    case 'invalid_key':
      return 'has a key that is not valid';
    case 'invalid_element':
      return 'has an item that is not valid';
    default:
      return 'is not valid';
  }
}

/** A size or value bound in words: `at most 64 characters`, `at least 1 item`, `at most 99`. */
function sizeWords(issue: z.core.$ZodIssue & { code: 'too_big' | 'too_small' }): string {
  const big = issue.code === 'too_big';
  const bound = big ? issue.maximum : issue.minimum;
  const unit =
    issue.origin === 'string'
      ? ' characters'
      : issue.origin === 'array' || issue.origin === 'set'
        ? ' items'
        : issue.origin === 'file'
          ? ' bytes'
          : '';
  if (!big && Number(bound) === 1 && unit) return 'must not be empty';
  if (issue.inclusive === false) return `must be ${big ? 'less' : 'more'} than ${String(bound)}${unit}`;
  return `must be at ${big ? 'most' : 'least'} ${String(bound)}${unit}`;
}
