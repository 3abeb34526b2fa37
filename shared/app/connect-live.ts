import { CONSOLE_LEASE_MS, type ConsoleLeases } from '#shared/domain/live/console-presence.js';
import type { HelloEvent } from '#shared/domain/live/events.js';
import { helloOf } from '#shared/domain/live/hello.js';
import type { LiveConnection } from '#shared/domain/live/live-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import { ForbiddenError } from '#shared/errors.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';

/**
 * A new socket of an authenticated agent: kept, its agent counted at the console for the lease (routing
 * assigns only to online agents who are), announced `online` to the others when it is their first
 * socket, and the `hello` it starts with: where its events start, who is online, who views what.
 * The lease write is refused once an admin's removal marked it: the socket is forgotten and refused
 * (`ForbiddenError` `agent_removed`). A removal marks the lease before its record starts the close of
 * the sockets open, so a connect that looked at the record just before the removal either is refused
 * here or was kept before that close read the open sockets, and is closed with them.
 */
export async function connectLive(
  deps: BroadcastDeps & {
    connections: {
      add(c: LiveConnection, nowMs: number): Promise<void>;
      remove(connectionId: string): Promise<unknown>;
    };
    clock: Clock;
    leases?: Pick<ConsoleLeases, 'seen'> | undefined;
  },
  connection: LiveConnection,
): Promise<HelloEvent> {
  const now = deps.clock.now().getTime();
  const others = await deps.connections.list();
  await deps.connections.add(connection, now);
  const seen = await deps.leases?.seen(connection.agentId, connection.connectionId, now + CONSOLE_LEASE_MS);
  if (seen === false) {
    await deps.connections.remove(connection.connectionId);
    throw new ForbiddenError('an admin removed this agent: ask an admin to restore you', 'agent_removed');
  }
  if (!others.some((c) => c.agentId === connection.agentId)) {
    await broadcastLive(
      deps,
      [{ type: 'presence', item: { agentId: connection.agentId, presence: 'online' } }],
      {
        to: others,
      },
    );
  }
  return helloOf(connection.agentId, now, others);
}
