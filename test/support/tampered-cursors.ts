/**
 * Cursors made from one the API answered, each of which it must refuse (400): [what it is, the cursor].
 * A byte of it changed (the place it holds, its nonce or its tag), cut short, lengthened, and a
 * readable cursor as the API made them before they were sealed.
 */
export function tamperedCursors(cursor: string): Array<[string, string]> {
  const bytes = Buffer.from(cursor, 'base64url');
  const flipped = (at: number) => {
    const copy = Buffer.from(bytes);
    copy[at] = (copy[at] ?? 0) ^ 0x01;
    return copy.toString('base64url');
  };
  return [
    ['its version changed', flipped(0)],
    ['its nonce changed', flipped(3)],
    ['its place changed', flipped(Math.floor(bytes.length / 2))],
    ['its tag changed', flipped(bytes.length - 1)],
    ['cut short', bytes.subarray(0, bytes.length - 4).toString('base64url')],
    ['lengthened', Buffer.concat([bytes, Buffer.of(0)]).toString('base64url')],
    [
      'readable JSON, as before',
      Buffer.from('{"before":"2026-01-01T00:00:00.000Z#au_x"}').toString('base64url'),
    ],
    ['not base64url', `${cursor.slice(0, -1)}!`],
  ];
}
