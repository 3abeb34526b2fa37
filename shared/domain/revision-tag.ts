/**
 * `ETag` and `If-Match` for resources that admins edit and that count their edits (a `revision`,
 * absent before the first: 0). The tag is strong and opaque to clients: `"r<revision>"`.
 */
export const revisionTag = (revision: number | undefined): string => `"r${revision ?? 0}"`;

/** What an `If-Match` asks for: the resource as it is (`*`), or at one of these revisions. */
export type IfMatch = '*' | readonly number[];

/**
 * An `If-Match` header read: undefined when absent or empty (no condition: as before it was taken).
 * A weak tag (`W/"r1"`) or one this API never answered matches nothing (RFC 9110 compares strongly).
 */
export function parseIfMatch(header: string | undefined): IfMatch | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (value === '*') return '*';
  return value.split(',').flatMap((tag) => {
    const revision = /^"r(\d{1,15})"$/.exec(tag.trim())?.[1];
    return revision === undefined ? [] : [Number(revision)];
  });
}

/** Whether a resource at `revision` meets the condition (none: it does). */
export const meetsIfMatch = (condition: IfMatch | undefined, revision: number | undefined): boolean =>
  condition === undefined || condition === '*' || condition.includes(revision ?? 0);
