import { TAG_RULE } from '#shared/domain/tag-rule.js';

/**
 * The tags typed in the field: split on commas only, each trimmed, the empty ones dropped. A tag has no
 * spaces, so "refund request" is one tag the console refuses with a reason, never two tags made silently.
 */
export const parseTags = (raw: string): string[] =>
  raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** Why a tag cannot be saved, in words the agent can act on; undefined when it can. */
export function tagProblem(tag: string): string | undefined {
  const quoted = `“${tag}”`;
  if (tag.length > TAG_RULE.maxLength)
    return `${quoted.slice(0, 40)}…” can't be a tag: a tag has at most ${TAG_RULE.maxLength} characters.`;
  if (TAG_RULE.pattern.test(tag)) return undefined;
  if (/\s/.test(tag))
    return `${quoted} can't be a tag: a tag has no spaces (use - or _ in place of one, and commas between tags).`;
  return `${quoted} can't be a tag: use ${TAG_RULE.allowed}`;
}

/** The tags field's rule, said next to it. */
export const TAG_HINT = `Separate tags with commas. A tag is ${TAG_RULE.allowed} (no spaces).`;

/**
 * The API's refusal of a tags change in words: its message names the list and place (`add.2: letters,
 * digits, _ . : -`), said as the tag it was; any other refusal as it came.
 */
export function refusedTagsText(message: string, change: { add: string[]; remove: string[] }): string {
  const at = /^(add|remove)\.(\d{1,2}): /.exec(message);
  const tag = at ? change[at[1] as 'add' | 'remove'][Number(at[2])] : undefined;
  if (tag === undefined) return `The tags were not saved: ${message}`;
  return tagProblem(tag) ?? `“${tag}” can't be a tag: ${message.slice(at?.[0].length)}`;
}
