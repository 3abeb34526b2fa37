// The visitor's read receipts: which replies they had in front of them, told once per connection
// (no Preact here, so the unit tests type-check it without the DOM's types).
import { call, type StoredSession } from './api.js';

/**
 * A reply is told again when its status moves: Threadline ignores a read of a reply not yet sent (it has
 * no provider id then), so one shown while queued is told again once it is sent or delivered.
 */
function toldKey(m: { id: string; status?: string | undefined }): string {
  return `${m.id}\u0000${m.status ?? ''}`;
}

/** Read receipts go on the socket, or as a request when it is not open (Threadline takes both). */
export function sendRead(
  origin: string,
  socket: { send(frame: unknown): boolean } | undefined,
  session: StoredSession | undefined,
  shown: ReadonlyArray<{ id: string; status?: string | undefined }>,
  sent: Set<string>,
): void {
  const fresh = shown.filter((m) => !sent.has(toldKey(m)));
  if (!fresh.length) return;
  const messageIds = fresh.map((m) => m.id);
  const told = () => {
    for (const m of fresh) sent.add(toldKey(m));
  };
  if (socket?.send({ type: 'read', messageIds })) {
    told();
    return;
  }
  if (!session) return;
  told();
  call(origin, '/webchat/read', {
    method: 'POST',
    body: JSON.stringify({ messageIds }),
    token: session.sessionToken,
  }).catch(() => {
    for (const m of fresh) sent.delete(toldKey(m));
  });
}
