/** The Subject and References of an email reply (see buildRawEmail). */

export { DEFAULT_SUBJECT, subjectOf } from '../../domain/email-subject.js';

/** References kept on a reply, at most, and their length: the thread's first id and the newest. */
const MAX_REFERENCES = 20;
const MAX_REFERENCES_CHARS = 4000;

/**
 * A reply's References as mail clients trim a long thread's (RFC 5322 §3.6.4: the parent's References
 * and its Message-ID): the first id (the thread's root) and then the newest ones, our own Message-ID
 * last, within MAX_REFERENCES ids and MAX_REFERENCES_CHARS characters.
 */
export function trimReferences(ids: readonly string[]): string[] {
  const [first, ...rest] = ids;
  if (first === undefined) return [];
  const kept: string[] = [];
  let chars = first.length;
  for (let i = rest.length - 1; i >= 0 && kept.length < MAX_REFERENCES - 1; i--) {
    const id = rest[i] as string;
    if (chars + 1 + id.length > MAX_REFERENCES_CHARS) break;
    kept.unshift(id);
    chars += 1 + id.length;
  }
  return [first, ...kept];
}
