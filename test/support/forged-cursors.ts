const cursorOf = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');

/**
 * Cursors a list paged by a `{before}` or `{after}` sort key (`<at>#<id>`) did not make, each a 400
 * `invalid_request` there: [what it is, the cursor]. The last ones hold a place as the API's cursors
 * held it before they were sealed (see page-cursor.ts).
 */
export function forgedCursors(side: 'before' | 'after'): Array<[string, string]> {
  const other = side === 'before' ? 'after' : 'before';
  const key = '2026-06-01T09:00:00.000Z#x';
  return [
    ['not base64 JSON', 'not-ours'],
    ['another list’s key', cursorOf({ [other]: key })],
    ['a sort key with no #', cursorOf({ [side]: 'x' })],
    ['an empty sort key', cursorOf({ [side]: '' })],
    ['a number', cursorOf({ [side]: 7 })],
    ['a key too many', cursorOf({ [side]: key, pk: 'CUSTOMER#x' })],
    ['a 3 kB sort key', cursorOf({ [side]: `${'9'.repeat(3000)}#x` })],
    // Well formed, as the API made them before it sealed its cursors: taken then, refused now.
    ['a key of the far future', cursorOf({ [side]: '9999-12-31T00:00:00.000Z#au_x' })],
    ['a 1,500-character id', cursorOf({ [side]: `2026-06-01T09:00:00.000Z#${'x'.repeat(1500)}` })],
  ];
}
