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
 * One page of the visitor's own history, oldest first, across all their conversations (and, for a
 * verified visitor, every channel they used): their messages and our replies, never notes or events;
 * and the page's newest hand-off of a web-chat conversation to a person (from the same items read).
 * `order: 'newest'` reads from the end (the panel shows the newest and pages back on scroll): the first
 * page is the newest, its cursor leads to older ones; messages are oldest first within a page either way.
 * An anonymous visitor sees only their own web chat, even once an agent merged them with someone, and
 * no id that is not theirs: their customer's id only while no merge points their identity elsewhere,
 * each conversation by an opaque id (anonymousConversationId); a
 * verified one never sees an anonymous visitor's chat merged into their customer (sessionView, from
 * the same page: a reply that does not name its visitor is judged by its conversation on the page).
 */
export async function listWebchatMessages(
  deps: Pick<WebchatDeps, 'store' | 'clock'>,
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
  const session = await openSession(deps.store, input.authorization, deps.clock.now());
  const anonymous = isAnonymousSession(session);
  // An anonymous visitor's identity, read once: whose it is, and whether a merge points it elsewhere.
  const owner = anonymous ? await deps.store.findIdentityOwner(session.visitor) : undefined;
  const customerId = anonymous ? owner?.customerId : await visitorCustomerId(deps.store, session);
  const { expiresAt } = session;
  if (!customerId) return { expiresAt, messages: [], cursor: null };
  const want = { limit: PAGE_ITEMS, cursor: input.cursor };
  const page =
    input.order === 'newest'
      ? await deps.store.timelineBack(customerId, want)
      : await deps.store.timeline(customerId, want);
  const items = sessionView(session, page.items, (item) => item);
  const messages = items.map(visitorMessage).filter((m): m is VisitorMessage => m !== undefined);
  const handoff = items.map(visitorHandoff).reduce<VisitorHandoff | undefined>(newerHandoff, undefined);
  if (anonymous) {
    // Their own ids only: their customer's while it is theirs (not once merged into another), and
    // each conversation by an opaque id (a merge put their messages in the kept customer's).
    const shown = messages.map(forAnonymousVisitor);
    return {
      ...(owner && !owner.merged ? { customerId } : {}),
      expiresAt,
      messages: shown,
      ...(handoff ? { handoff: forAnonymousVisitor(handoff) } : {}),
      cursor: page.cursor,
    };
  }
  return { customerId, expiresAt, messages, ...(handoff ? { handoff } : {}), cursor: page.cursor };
}
