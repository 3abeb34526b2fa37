import { identityToken } from '../domain/identity.js';
import type { Clock } from '../domain/ports.js';
import {
  conversationSubject,
  isAnonymousSession,
  visitorConversations,
} from '../domain/webchat/anonymous-view.js';
import { sessionIdentities } from '../domain/webchat/envelopes.js';
import type { WebchatSession } from '../domain/webchat/session.js';
import { openSession, visitorCustomerId } from '../domain/webchat/visitor.js';
import type { WebchatStore } from '../domain/webchat-ports.js';

/**
 * Records a visitor's live connection: whose timeline (or, for an anonymous visitor, which
 * conversations: conversationSubject) it follows, which identities it waits on, and its place among
 * its session's sockets; answers the session's connections over SESSION_SOCKETS_MAX, oldest first.
 */
export interface ConnectionRegistry {
  connect(
    connectionId: string,
    customers: readonly string[],
    identities: readonly string[],
    sessionHash?: string,
  ): Promise<string[]>;
}

/** Closes a visitor's socket for a newer one of its session: REPLACED_FRAME, then the close. */
export type RetireSocket = (connectionId: string) => Promise<void>;

/** The newest timeline items read to find the conversations an anonymous visitor wrote in. */
const RECENT_ITEMS = 100;

/**
 * What a visitor's connection follows: a verified visitor's customer (every merged partition); an
 * anonymous visitor's own conversations only (conversationSubject), those they wrote in among their
 * newest 100 items (one Query per partition), never their customer (see fanOutToVisitors). Both wait
 * on their identities, so their first message tells the connection where it belongs.
 */
export async function visitorSubscription(
  store: Pick<WebchatStore, 'findCustomerId' | 'mergedPartitions' | 'timelineBack'>,
  session: WebchatSession,
): Promise<{ follows: string[]; identities: string[] }> {
  const customerId = await visitorCustomerId(store, session);
  const { customer, alsoKnownAs } = sessionIdentities(session);
  const identities = [customer, ...alsoKnownAs].map(identityToken);
  if (!customerId) return { follows: [], identities };
  if (!isAnonymousSession(session)) return { follows: await store.mergedPartitions(customerId), identities };
  const recent = await store.timelineBack(customerId, { limit: RECENT_ITEMS });
  const conversations = visitorConversations(recent.items, session.visitor);
  return { follows: [...conversations].map(conversationSubject), identities };
}

/**
 * A visitor's WebSocket `$connect`: a live session (401 otherwise, and API Gateway refuses the
 * upgrade), then the connection follows what visitorSubscription says, and the session's oldest
 * sockets beyond SESSION_SOCKETS_MAX are closed (a script opening thousands holds ten).
 */
export async function connectVisitor(
  deps: {
    store: Pick<
      WebchatStore,
      'getSession' | 'renewSession' | 'findCustomerId' | 'mergedPartitions' | 'timelineBack'
    >;
    clock: Clock;
    sessionTtlMs?: number | undefined;
    connections: ConnectionRegistry;
    retire: RetireSocket;
  },
  input: { connectionId: string; sessionToken: string },
): Promise<void> {
  const session = await openSession(
    deps.store,
    `Bearer ${input.sessionToken.slice(0, 64)}`,
    deps.clock.now(),
    deps.sessionTtlMs,
  );
  const { follows, identities } = await visitorSubscription(deps.store, session);
  const over = await deps.connections.connect(input.connectionId, follows, identities, session.tokenHash);
  for (const connectionId of over) await deps.retire(connectionId);
}
