import { CONSOLE_LEASE_MS, type ConsoleLeases } from '#shared/domain/live/console-presence.js';
import type { HelloEvent } from '#shared/domain/live/events.js';
import { helloOf } from '#shared/domain/live/hello.js';
import type { LiveConnection, RegisteredPresences } from '#shared/domain/live/live-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import { ForbiddenError } from '#shared/errors.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';

/**
 * The presence the agent and those with a socket open chose (their registrations read, a GetItem each:
 * `agentPresences`), or none known without `presences` (each then `online`, as the hello said before).
 */
export async function presencesOf(
  presences: RegisteredPresences | undefined,
  agentId: string,
  open: readonly LiveConnection[],
): Promise<ReadonlyMap<string, 'online' | 'away'>> {
  return presences ? presences([...new Set([agentId, ...open.map((c) => c.agentId)])]) : new Map();
}

/**
 * A new socket of an authenticated agent: kept, its agent counted at the console for the lease (routing
 * assigns only to online agents who are), announced to the others with the presence they chose (`away`
 * for an agent who set Away; `online` when not registered) when it is their first socket, and the
 * `hello` it starts with: where its events start, who is connected with what presence, who views what.
 * `greet: false` (on AWS, where the `$connect` cannot answer on the socket and the console asks for its
 * hello with a frame): no hello, and only the agent's own presence read.
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
    /** The agents' registered presence, for the hello and the announcement (without it: `online`). */
    presences?: RegisteredPresences | undefined;
  },
  connection: LiveConnection,
  { greet = true }: { greet?: boolean } = {},
): Promise<HelloEvent | undefined> {
  const now = deps.clock.now().getTime();
  const others = await deps.connections.list();
  await deps.connections.add(connection, now);
  const seen = await deps.leases?.seen(connection.agentId, connection.connectionId, now + CONSOLE_LEASE_MS);
  if (seen === false) {
    await deps.connections.remove(connection.connectionId);
    throw new ForbiddenError('an admin removed this agent: ask an admin to restore you', 'agent_removed');
  }
  const presences = await presencesOf(deps.presences, connection.agentId, greet ? others : []);
  if (!others.some((c) => c.agentId === connection.agentId)) {
    const presence = presences.get(connection.agentId) ?? 'online';
    await broadcastLive(deps, [{ type: 'presence', item: { agentId: connection.agentId, presence } }], {
      to: others,
    });
  }
  return greet ? helloOf(connection.agentId, now, others, presences) : undefined;
}
