/**
 * What a file's name may hold where Threadline names a file (a reply's upload, a `Content-Disposition`):
 * letters, marks and digits of any script, spaces, `.`, `_`, `-`, `(`, `)`, `+` and `°` (`n°4512`).
 * Anything else (a path separator, a quote, a symbol) becomes `_`.
 */
export const FILE_NAME_UNSAFE = /[^\p{L}\p{M}\p{N} ._()+°-]+/gu;
