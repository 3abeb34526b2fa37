import { durationMs, durationProblem } from '../domain/sla/duration-ms.js';

/**
 * The web-chat settings' checks beyond their type (see ConfigSchema): each answers why a value cannot
 * be used, naming what to write instead, or undefined when it can. The start and the synth both refuse
 * such a value, naming the setting.
 */

/** The longest WEBCHAT_BUSINESS_NAME: it is the end of an email subject ("Your chat with <name>"). */
export const BUSINESS_NAME_MAX_CHARS = 100;

/** The shortest and longest WEBCHAT_EMAIL_FALLBACK_DELAY. */
export const FALLBACK_DELAY_MIN_MS = 60_000;
export const FALLBACK_DELAY_MAX_MS = 7 * 24 * 3_600_000;

/** The entries of WEBCHAT_ALLOWED_ORIGINS, trimmed, a trailing slash dropped (pages never send one). */
export function originEntries(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter((o) => o.length > 0);
}

/**
 * Why an entry of WEBCHAT_ALLOWED_ORIGINS is not an origin as a browser sends it (scheme://host[:port],
 * lower case, no default port, no path), naming the origin it may mean; undefined when it is one. An
 * entry that is not exactly one would match no page, silently. A wildcard is refused on its own: a
 * browser never sends one, and allowing every site would let any page chat as a site's visitors.
 */
export function notAnOrigin(entry: string): string | undefined {
  if (entry.includes('*')) {
    return `"${entry}" has a wildcard (*): web chat takes no wildcard, only whole origins, each matched exactly (any site allowed could chat as your visitors); write each site's origin, such as https://shop.example, comma-separated`;
  }
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry)
    return undefined;
  let meant: string | undefined;
  try {
    const guess = new URL(url ? entry : `https://${entry}`);
    if (guess.protocol === 'https:' || guess.protocol === 'http:') meant = guess.origin;
  } catch {
    meant = undefined;
  }
  const hint = meant ? `; write ${meant}` : '';
  return `"${entry}" is not an origin (scheme://host[:port], as the browser sends it, no path)${hint}`;
}

/**
 * Why WEBCHAT_BUSINESS_NAME cannot be used: blank, a control character (a line break would split the
 * email's subject, and shows as nothing or a box), or longer than BUSINESS_NAME_MAX_CHARS.
 */
export function businessNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'blank: write the name, or leave the setting unset for "us"';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    return 'has a line break, tab or other control character: it goes in email subjects ("Your chat with <name>"); write it on one line';
  }
  if (name.length > BUSINESS_NAME_MAX_CHARS) {
    return `${name.length} characters, over ${BUSINESS_NAME_MAX_CHARS}: it goes in email subjects ("Your chat with <name>"); write a shorter name`;
  }
  return undefined;
}

/** The WEBCHAT_EMAIL_FALLBACK_DELAY that turns the fallback off: no reply arms a timer, none sends. */
export const FALLBACK_OFF = 'off';

/** The fallback's delay in milliseconds; undefined when it is `off` (no fallback at all). */
export function fallbackDelayMs(text: string): number | undefined {
  return text === FALLBACK_OFF ? undefined : durationMs(text);
}

/**
 * Why WEBCHAT_EMAIL_FALLBACK_DELAY cannot be used: neither `off` nor a duration the timers take (zero,
 * negative, years or months, numbers too long), under a minute (a visitor still chatting would get each
 * reply by email too, before the panel marks it read), or over 7 days (the email would come long after
 * the chat). Each says `off` is there for whoever wants no email at all.
 */
export function fallbackDelayProblem(text: string): string | undefined {
  if (text === FALLBACK_OFF) return undefined;
  return boundedDurationProblem(text, {
    minMs: FALLBACK_DELAY_MIN_MS,
    maxMs: FALLBACK_DELAY_MAX_MS,
    under:
      'a minute: a visitor still in the chat would get each reply by email too, before reading it there; write PT1M or more (the default is PT15M)',
    over: '7 days: the email would come long after the chat; write P7D or less (the default is PT15M)',
    alternative: `, or ${FALLBACK_OFF} for no email`,
  });
}

/** The shortest and longest WEBCHAT_SESSION_TTL. */
export const SESSION_TTL_MIN_MS = 15 * 60_000;
export const SESSION_TTL_MAX_MS = 30 * 24 * 3_600_000;

/**
 * Why WEBCHAT_SESSION_TTL cannot be used: no duration, under 15 minutes (a visitor reading a reply
 * would lose the chat mid-conversation; a session is renewed on use at most every quarter of it), or
 * over 30 days (the default, and the longest a session ever lived).
 */
export function sessionTtlProblem(text: string): string | undefined {
  return boundedDurationProblem(text, {
    minMs: SESSION_TTL_MIN_MS,
    maxMs: SESSION_TTL_MAX_MS,
    under:
      '15 minutes: a visitor waiting for an answer would lose the chat; write PT15M or more (the default is P30D)',
    over: '30 days: write P30D or less (the default)',
  });
}

/** A duration setting's bounds, and the words after `"<value>" is under ` and `is over ` for each. */
interface DurationBounds {
  minMs: number;
  maxMs: number;
  under: string;
  over: string;
  /** Ends every message: what else the setting takes (the fallback's `off`). */
  alternative?: string;
}

/** Why `text` is no duration (durationProblem's words) or one outside `bounds`; undefined when it can be used. */
function boundedDurationProblem(text: string, bounds: DurationBounds): string | undefined {
  const alternative = bounds.alternative ?? '';
  const problem = durationProblem(text);
  if (problem) return `${problem}${alternative}`;
  const ms = durationMs(text) as number;
  const shown = JSON.stringify(text);
  if (ms < bounds.minMs) return `${shown} is under ${bounds.under}${alternative}`;
  if (ms > bounds.maxMs) return `${shown} is over ${bounds.over}${alternative}`;
  return undefined;
}
