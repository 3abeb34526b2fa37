import type { PageCursors } from '../domain/page-cursor.js';
import type { TimelineItem } from '../domain/timeline.js';
import { forAnonymousVisitor, isAnonymousSession, sessionView } from '../domain/webchat/anonymous-view.js';
import { newerHandoff } from '../domain/webchat/newer-handoff.js';
import { openSession, visitorCustomerId } from '../domain/webchat/visitor.js';
import {
  type VisitorHandoff,
  type VisitorMessage,
  visitorHandoff,
  visitorMessage,
} from '../domain/webchat/visitor-view.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';

/** Timeline items read per page of the visitor's history. */
const PAGE_ITEMS = 100;
/**
 * Timeline pages one call reads at most while none of them holds anything the visitor sees (another
 * customer's notes and messages, once merged): a page comes back empty with a cursor only past this.
 */
const MAX_READS = 5;

/**
 * One page of the visitor's own history, oldest first, across all their conversations (and, for a
 * verified visitor, every channel they used): their messages and our replies, never notes or events;
 * and the page's newest hand-off of a web-chat conversation to a person (from the same items read).
 * `order: 'newest'` reads from the end (the panel shows the newest and pages back on scroll): the first
 * page is the newest, its cursor leads to older ones; messages are oldest first within a page either way.
 * Timeline pages that hold nothing of theirs are read past (up to MAX_READS), so a page answers no
 * messages with a cursor only after that many. Its cursor is sealed (encrypted) for this visitor, their
 * customer and the order: it tells nothing of the timeline behind it, and no one else's cursor opens.
 * An anonymous visitor sees only their own web chat, even once an agent merged them with someone, and
 * no id that is not theirs: their customer's id only while no merge points their identity elsewhere,
 * each conversation by an opaque id (anonymousConversationId); a
 * verified one never sees an anonymous visitor's chat merged into their customer (sessionView, from
 * the same page: a reply that does not name its visitor is judged by its conversation on the page).
 */
export async function listWebchatMessages(
  deps: Pick<WebchatDeps, 'store' | 'clock' | 'sessionTtlMs'> & { cursors: PageCursors },
  input: {
    authorization: string | undefined;
    cursor?: string | undefined;
    order?: 'oldest' | 'newest' | undefined;
  },
): Promise<{
  customerId?: string;
  /** The session's expiry, renewed by this use (the panel keeps it with the session). */
  expiresAt: string;
  messages: VisitorMessage[];
  handoff?: VisitorHandoff;
  cursor: string | null;
}> {
  const session = await openSession(deps.store, input.authorization, deps.clock.now(), deps.sessionTtlMs);
  const anonymous = isAnonymousSession(session);
  // An anonymous visitor's identity, read once: whose it is, and whether a merge points it elsewhere.
  const owner = anonymous ? await deps.store.findIdentityOwner(session.visitor) : undefined;
  const customerId = anonymous ? owner?.customerId : await visitorCustomerId(deps.store, session);
  const { expiresAt } = session;
  const order = input.order ?? 'oldest';
  const scope = ['webchat', session.visitor.kind, session.visitor.value, customerId, order] as const;
  const from = deps.cursors.open(input.cursor, scope);
  if (!customerId) return { expiresAt, messages: [], cursor: null };
  const read = await visibleItems(deps.store, customerId, order, from, (items) =>
    sessionView(session, items, (item) => item),
  );
  const cursor = deps.cursors.seal(read.cursor, scope);
  const messages = read.items.map(visitorMessage).filter((m): m is VisitorMessage => m !== undefined);
  const handoff = read.items.map(visitorHandoff).reduce<VisitorHandoff | undefined>(newerHandoff, undefined);
  if (anonymous) {
    // Their own ids only: their customer's while it is theirs (not once merged into another), and
    // each conversation by an opaque id (a merge put their messages in the kept customer's).
    const shown = messages.map(forAnonymousVisitor);
    return {
      ...(owner && !owner.merged ? { customerId } : {}),
      expiresAt,
      messages: shown,
      ...(handoff ? { handoff: forAnonymousVisitor(handoff) } : {}),
      cursor,
    };
  }
  return { customerId, expiresAt, messages, ...(handoff ? { handoff } : {}), cursor };
}

/**
 * The timeline items the visitor sees (`view`) from the store's cursor `from` on, oldest first: pages
 * read until one holds a message of theirs or the timeline ends, MAX_READS at most; the store's cursor
 * after the last page read.
 */
async function visibleItems(
  store: WebchatDeps['store'],
  customerId: string,
  order: 'oldest' | 'newest',
  from: string | undefined,
  view: (items: TimelineItem[]) => TimelineItem[],
): Promise<{ items: TimelineItem[]; cursor: string | null }> {
  let read: TimelineItem[] = [];
  let cursor: string | null = from ?? null;
  for (let reads = 0; reads < MAX_READS; reads++) {
    const want = { limit: PAGE_ITEMS, cursor: cursor ?? undefined };
    const page =
      order === 'newest'
        ? await store.timelineBack(customerId, want)
        : await store.timeline(customerId, want);
    // Newest first, each page read is older than the one before it.
    read = order === 'newest' ? [...page.items, ...read] : [...read, ...page.items];
    cursor = page.cursor;
    const items = view(read);
    if (cursor === null || items.some((item) => visitorMessage(item) !== undefined)) return { items, cursor };
  }
  return { items: view(read), cursor };
}
