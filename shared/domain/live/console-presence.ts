/**
 * Whether an agent is at the console, as routing needs to know: presence `online` is what they chose,
 * a live socket (`/api/live`) is whether they are there. Each agent has one small item (not on the
 * per-message path: written by their own sockets, read by a hand-off for the online agents only) whose
 * `connectedUntil` the socket moves: a connect or a ping sets it `CONSOLE_LEASE_MS` ahead, the close of
 * their last socket `CONSOLE_GRACE_MS` ahead. No sweep: a socket whose close never arrives (API
 * Gateway's `$disconnect` is best-effort) stops pinging, and its lease lapses by itself.
 */

/**
 * How far a connect or a ping moves `connectedUntil`: past API Gateway's idle close (10 minutes), the
 * console pinging every 5, so an open console never lapses and a vanished one lapses within it.
 */
export const CONSOLE_LEASE_MS = 12 * 60_000;

/** How long an agent whose last socket closed still counts as there: a reload or a blip does not drop them. */
export const CONSOLE_GRACE_MS = 2 * 60_000;

/** Whether an agent whose socket last said `connectedUntil` (ISO 8601; none: never connected) is at the console now. */
export function atConsole(connectedUntil: string | undefined, now: Date): boolean {
  return connectedUntil !== undefined && Date.parse(connectedUntil) > now.getTime();
}

/** The agent with a console lease's `connectedUntil`, when it is one (a lease item's, or the list's). */
export function withConnectedUntil<T extends { connectedUntil?: string | undefined }>(
  agent: T,
  connectedUntil: unknown,
): T {
  return typeof connectedUntil === 'string' ? { ...agent, connectedUntil } : agent;
}

/** The agents' console leases (a table item per agent, on AWS and locally). */
export interface ConsoleLeases {
  /**
   * A socket of the agent is open (connected or pinged): counts them there until `untilMs`. False when
   * an admin removed the agent (their lease is marked so): nothing written, the socket is to be closed.
   */
  seen(agentId: string, connectionId: string, untilMs: number): Promise<boolean>;
  /**
   * The agent's last socket closed: shortens their lease to `untilMs`, unless a later connect or ping of
   * another socket moved it since (the lease names the socket that last moved it), so a reload's close
   * arriving after its new socket's connect does not drop the agent.
   */
  left(agentId: string, connectionId: string, untilMs: number): Promise<void>;
}
