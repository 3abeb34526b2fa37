/** Why Threadline moved a conversation on its own (the `assigned` event's `reason`), in words. */
const RETURN_TEXT: Record<string, string> = {
  agent_away: 'set Away',
  agent_offline: 'went offline',
  agent_removed: 'was removed',
};

/** The words for a return reason; undefined for an `assigned` event without one (or one not known). */
export function returnReasonText(reason: unknown): string | undefined {
  return typeof reason === 'string' ? RETURN_TEXT[reason] : undefined;
}
