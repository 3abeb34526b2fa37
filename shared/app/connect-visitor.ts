import { identityToken } from '../domain/identity.js';
import type { Clock } from '../domain/ports.js';
import { sessionIdentities } from '../domain/webchat/envelopes.js';
import { openSession, visitorCustomerId } from '../domain/webchat/visitor.js';
import type { WebchatStore } from '../domain/webchat-ports.js';

/** Records a visitor's live connection: whose timeline it follows, and which identities it waits on. */
export interface ConnectionRegistry {
  connect(
    connectionId: string,
    customers: readonly string[],
    identities: readonly string[],
    sessionHash?: string,
  ): Promise<void>;
}

/**
 * A visitor's WebSocket `$connect`: a live session (401 otherwise, and API Gateway refuses the
 * upgrade), then the connection follows the visitor's customer (every merged partition) and waits on
 * their identities, so their first message tells it which customer they are.
 */
export async function connectVisitor(
  deps: {
    store: Pick<WebchatStore, 'getSession' | 'findCustomerId' | 'mergedPartitions'>;
    clock: Clock;
    connections: ConnectionRegistry;
  },
  input: { connectionId: string; sessionToken: string },
): Promise<void> {
  const session = await openSession(
    deps.store,
    `Bearer ${input.sessionToken.slice(0, 64)}`,
    deps.clock.now(),
  );
  const customerId = await visitorCustomerId(deps.store, session);
  const partitions = customerId ? await deps.store.mergedPartitions(customerId) : [];
  const { customer, alsoKnownAs } = sessionIdentities(session);
  await deps.connections.connect(
    input.connectionId,
    partitions,
    [customer, ...alsoKnownAs].map(identityToken),
    session.tokenHash,
  );
}
