/**
 * The live sockets one web-chat session may hold open at once: a visitor's tabs of the shop (the
 * session is shared by the site's tabs) with room to spare. A newer socket closes the oldest.
 */
export const SESSION_SOCKETS_MAX = 10;

/**
 * The socket list a session may show before a connect is refused outright (429): the list is trimmed
 * to SESSION_SOCKETS_MAX on each connect, so only a flood of connects racing each other reaches it.
 */
export const SESSION_SOCKETS_REFUSED_AT = 100;

/**
 * The frame an oldest socket gets before it is closed for a newer one of its session: the panel then
 * reopens only when its tab is shown again, so more than ten tabs do not take turns closing each other.
 */
export const REPLACED_FRAME = { type: 'replaced' } as const;

/** The close of such a socket where Threadline closes it itself (locally; API Gateway's close says nothing). */
export const REPLACED_CLOSE = { code: 4029, reason: 'replaced by a newer socket of this session' } as const;

/**
 * The close of a socket whose session ended (expired, its identity token's exp passed, or ended by
 * `DELETE /webchat/sessions`), found at its next ping or, for an end, at the end itself. The panel's
 * reads then answer 401, and it starts a new session.
 */
export const ENDED_CLOSE = { code: 4401, reason: 'the session ended: start a new one' } as const;

/** A socket in its session's list: the time it opened, then its id, so the list sorts oldest first. */
export function socketSlot(openedAt: Date, connectionId: string): string {
  return `${openedAt.toISOString()} ${connectionId}`;
}

/** The connection id a slot names. */
export function slotConnection(slot: string): string {
  return slot.slice(slot.indexOf(' ') + 1);
}

/** Of a session's sockets listed oldest first, those beyond the newest SESSION_SOCKETS_MAX: to close. */
export function overCap<T>(oldestFirst: readonly T[]): T[] {
  return oldestFirst.slice(0, Math.max(0, oldestFirst.length - SESSION_SOCKETS_MAX));
}

/** The slots beyond the newest SESSION_SOCKETS_MAX, oldest first: the sockets to close. */
export function slotsOverCap(slots: Iterable<string>): string[] {
  return overCap([...slots].sort());
}
