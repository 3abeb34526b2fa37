import type { RoutingPolicy } from './policy.js';

/** The primary subtag of a language tag, in lower case (`pt` of `pt-BR`). */
const primary = (tag: string): string => (tag.split('-')[0] ?? tag).toLowerCase();

/**
 * The languages the routing policy names (its queues', its automations' `languages` and `byLanguage`,
 * `aiReplies.byLanguage`, `csat.byLanguage`), as primary subtags, each once: the team's languages.
 */
export function policyLanguages(
  policy: Pick<RoutingPolicy, 'queues' | 'automations' | 'aiReplies' | 'csat'>,
): string[] {
  const tags = [
    ...policy.queues.flatMap((queue) => queue.languages ?? []),
    ...policy.automations.flatMap((rule) => [
      ...(rule.conditions.languages ?? []),
      ...rule.actions.flatMap((action) =>
        'byLanguage' in action ? Object.keys(action.byLanguage ?? {}) : [],
      ),
    ]),
    ...Object.keys(policy.aiReplies?.byLanguage ?? {}),
    ...Object.keys(policy.csat?.byLanguage ?? {}),
  ];
  return [...new Set(tags.map(primary))];
}

/**
 * The Unicode scripts a language is written in, from its likely script (ICU's `maximize`): `Arab` for
 * `ar`, `fa` and `ur`; Japanese and Korean may mix in Han. Latin (and a tag ICU cannot place) gives
 * none: too many languages share it for it to tell one.
 */
function scriptsOf(language: string): string[] {
  let script: string | undefined;
  try {
    script = new Intl.Locale(language).maximize().script;
  } catch {}
  if (!script || script === 'Latn') return [];
  if (script === 'Jpan') return ['Hira', 'Kana', 'Hani'];
  if (script === 'Kore') return ['Hang', 'Hani'];
  if (script === 'Hans' || script === 'Hant') return ['Hani'];
  return [script];
}

const LETTER = /\p{L}/gu;

/** Whether every letter of `letters` is written in one of `scripts`. */
function writtenIn(letters: readonly string[], scripts: readonly string[]): boolean {
  const patterns = scripts.map((script) => new RegExp(`^\\p{Script=${script}}$`, 'u'));
  return letters.every((letter) => patterns.some((pattern) => pattern.test(letter)));
}

/** At most this many of a text's letters are looked at: its start tells its script. */
const SCRIPT_LETTERS = 200;

/**
 * The one language of `languages` (the team's, `policyLanguages`) whose script every letter of the text
 * is written in, when only one is: «مرحبا» is Arabic for a team whose only Arabic-script language is
 * `ar`, however short (the detector needs 15 letters). None for Latin letters, a text in two scripts,
 * a script no language or two of the team's share (`ar` and `fa`), or fewer than two letters.
 */
export function scriptLanguage(text: string, languages: readonly string[]): string | undefined {
  const letters = (text.match(LETTER) ?? []).slice(0, SCRIPT_LETTERS);
  if (letters.length < 2) return undefined;
  const fits = languages.filter((language) => {
    const scripts = scriptsOf(language);
    return scripts.length > 0 && writtenIn(letters, scripts);
  });
  return fits.length === 1 ? fits[0] : undefined;
}
