import type { LiveEvent } from './live.js';

/** More conversations than this remembered: forgotten, and each counts as new again (one read more at most). */
const MAX_KNOWN = 5_000;

/**
 * Whether a live event may have moved an agent's load (the open conversations the agents list counts):
 * a conversation whose holder or status changed since the last event about it, or one first seen
 * already assigned (a hand-off, a transfer of one this console had not seen). `known` keeps each
 * conversation's holder and status as events said them; a message on a conversation that stays with
 * its agent moves nothing, so the list is not read again for every message.
 */
export function loadMoved(known: Map<string, string>, event: LiveEvent): boolean {
  if (event.type !== 'conversation.updated' || typeof event.item?.id !== 'string') return false;
  const { id, assignee, status } = event.item as { id: string; assignee?: string; status?: string };
  const now = `${assignee ?? ''}\u0000${status ?? ''}`;
  const before = known.get(id);
  if (before === undefined && known.size >= MAX_KNOWN) known.clear();
  known.set(id, now);
  return before === undefined ? Boolean(assignee) : before !== now;
}
