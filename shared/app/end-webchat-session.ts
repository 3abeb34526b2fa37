import { bearerSessionToken, sessionTokenHash } from '../domain/webchat/session.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';
import { UnauthorizedError } from '../errors.js';

/** Closes a session's live sockets at once (locally the sockets themselves; on AWS `DELETE @connections/<id>`). */
export type EndSockets = (tokenHash: string) => Promise<void>;

/**
 * Ends a visitor's session (`DELETE /webchat/sessions`, the site's sign-out): its token stops working
 * and its start key is spent (the store's tombstone), and its live sockets close. Ending a session
 * that is gone already (ended, erased, expired) does nothing more: 401 only without a session token.
 */
export async function endWebchatSession(
  deps: Pick<WebchatDeps, 'clock'> & {
    store: Pick<WebchatDeps['store'], 'getSession' | 'endSession'>;
    endSockets?: EndSockets | undefined;
  },
  input: { authorization: string | undefined },
): Promise<void> {
  const token = bearerSessionToken(input.authorization);
  if (!token) throw new UnauthorizedError('send Authorization: Bearer <sessionToken>');
  const tokenHash = sessionTokenHash(token);
  const session = await deps.store.getSession(tokenHash);
  if (session) await deps.store.endSession(session, deps.clock.now().toISOString());
  await deps.endSockets?.(tokenHash);
}
