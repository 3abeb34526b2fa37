import type { DurableEvent, ServerFrame } from './events.js';

/** One page of the event log, oldest first. */
export interface LiveLogPage {
  events: DurableEvent[];
  /** More events than `limit` are after the last one answered. */
  more: boolean;
}

/** The kept durable events (DynamoDB with a TTL on AWS and locally), sharded so no key is hot. */
export interface LiveEventLog {
  /** Keeps a batch's events (packed into few items); appending the same event again only costs its write. */
  append(events: readonly DurableEvent[]): Promise<void>;
  /** Events with `seq` above `after`, oldest first, at most `limit` (ties at the end kept together). */
  read(after: number, limit: number, nowMs: number): Promise<LiveLogPage>;
}

/** One agent's open socket. */
export interface LiveConnection {
  connectionId: string;
  agentId: string;
  /** The conversation the agent has open on this socket, if any. */
  viewing?: string | undefined;
  /**
   * When the token the socket was opened with expires (epoch ms; none for a local `AGENT_TOKENS` token):
   * from then on it is sent nothing and is closed, so an agent removed from the pool stops receiving
   * live events when their token ends, as their API calls do.
   */
  expiresAt?: number | undefined;
}

/**
 * The presence each of these agents chose (`PUT /api/agents/me`: `online` or `away`), read from their
 * registrations; an agent not registered is left out.
 */
export type RegisteredPresences = (
  agentIds: readonly string[],
) => Promise<ReadonlyMap<string, 'online' | 'away'>>;

/** The open sockets (table items with a TTL on AWS, memory locally). */
export interface LiveConnections {
  add(connection: LiveConnection, nowMs: number): Promise<void>;
  /** Forgets a socket; answers what it was, or undefined when it was already gone. */
  remove(connectionId: string): Promise<LiveConnection | undefined>;
  get(connectionId: string): Promise<LiveConnection | undefined>;
  /** Sets (or clears, with undefined) what the socket views; answers the socket after the change. */
  setViewing(connectionId: string, conversationId: string | undefined): Promise<LiveConnection | undefined>;
  /** Every open socket. */
  list(): Promise<LiveConnection[]>;
}

/** Why the server closes a socket: its token expired, or an admin removed its agent. */
export type LiveCloseReason = 'token_expired' | 'agent_removed';

/** Sends frames down sockets (API Gateway's management API on AWS, `ws` locally). */
export interface LiveSender {
  /** Sends one frame; `gone` when the socket no longer exists (it is then forgotten). */
  send(connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'>;
  /**
   * Closes a socket from our side (its close then forgets it, as a client's does), saying why where the
   * transport can (locally close code 1008 with the reason; API Gateway's DeleteConnection says none).
   */
  close?(connectionId: string, reason?: LiveCloseReason): Promise<void>;
}
