// The launcher's name and unread badge, and which replies count as unread: shared by the loader (a
// returning visitor's count, before any panel) and the panel (the count as replies come and are seen).

/** The part of a message the unread count looks at. */
interface Counted {
  id: string;
  author: string;
  channel?: string;
  status?: string;
}

/** Whether a message is a reply on the chat the visitor has to read (not theirs, not an email's). */
export function isChatReply(m: Counted): boolean {
  return m.author !== 'visitor' && m.id.startsWith('reply:') && (m.channel ?? 'webchat') === 'webchat';
}

/** The chat replies Threadline has not had a read receipt for. */
export function unreadReplies(messages: readonly Counted[]): number {
  return messages.filter((m) => isChatReply(m) && m.status !== 'read').length;
}

/** The launcher's name and badge: "Open chat, 2 unread messages" while replies wait unseen. */
export function label(launcher: HTMLButtonElement, open: boolean, unread: number) {
  const count = open ? 0 : unread;
  const name = open
    ? 'Close chat'
    : count
      ? `Open chat, ${count} unread message${count === 1 ? '' : 's'}`
      : 'Open chat';
  launcher.setAttribute('aria-expanded', String(open));
  launcher.setAttribute('aria-label', name);
  let badge = launcher.querySelector('.badge');
  if (!count) return badge?.remove();
  if (!badge) {
    badge = document.createElement('span');
    badge.className = 'badge';
    badge.setAttribute('aria-hidden', 'true');
    launcher.append(badge);
  }
  badge.textContent = String(count);
}
