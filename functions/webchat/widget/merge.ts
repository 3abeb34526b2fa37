import { movesBack } from '#shared/domain/status-rank.js';
import type { ChatMessage } from './api.js';

/** A message seen again replaces what was shown, except that its status only moves forward. */
export function merge(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const at = list.findIndex((m) => m.id === message.id);
  const seen = list[at];
  if (!seen) return [...list, message].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const copy = list.slice();
  const status = movesBack(message.status, seen.status) ? seen.status : message.status;
  copy[at] = { ...seen, ...message, status, pending: false };
  return copy;
}
