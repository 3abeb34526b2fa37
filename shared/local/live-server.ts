import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { connectLive } from '#shared/app/connect-live.js';
import { disconnectLive } from '#shared/app/disconnect-live.js';
import { fanOutChanges } from '#shared/app/fan-out-changes.js';
import { handleLiveFrame } from '#shared/app/handle-live-frame.js';
import { publishLiveChanges } from '#shared/app/publish-live-changes.js';
import type { Caller } from '../domain/caller.js';
import type { ChangeFeedConsumer } from '../domain/change-feed.js';
import type { ConsoleLeases } from '../domain/live/console-presence.js';
import { MAX_CLIENT_FRAME_BYTES, type ServerFrame } from '../domain/live/events.js';
import type {
  LiveCloseReason,
  LiveConnection,
  LiveConnections,
  LiveEventLog,
  LiveSender,
  RegisteredPresences,
} from '../domain/live/live-ports.js';
import { seqClock } from '../domain/live/seq.js';
import type { Clock } from '../domain/ports.js';
import { ForbiddenError } from '../errors.js';
import { log } from '../log.js';
import type { LocalChangeFeed } from './change-feed.js';
import type { LocalUpgrades } from './upgrades.js';

/** The open sockets of this process, in memory (on AWS they are table items). */
export function memoryConnections(): LiveConnections {
  const open = new Map<string, LiveConnection>();
  return {
    add: async (connection) => {
      open.set(connection.connectionId, { ...connection });
    },
    remove: async (id) => {
      const found = open.get(id);
      open.delete(id);
      return found;
    },
    get: async (id) => open.get(id),
    setViewing: async (id, conversationId) => {
      const found = open.get(id);
      if (found) found.viewing = conversationId;
      return found && { ...found };
    },
    list: async () => [...open.values()].map((c) => ({ ...c })),
  };
}

/** Writes frames down `ws` sockets; a socket's frames wait until its `hello` has gone, so it comes first. */
class SocketSender implements LiveSender {
  readonly sockets = new Map<string, { ws: WebSocket; waiting?: ServerFrame[] | undefined }>();
  private readonly leaving = new Set<Promise<unknown>>();

  async send(connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'> {
    const socket = this.sockets.get(connectionId);
    if (!socket || socket.ws.readyState > 1) return 'gone';
    if (socket.waiting) socket.waiting.push(frame);
    else socket.ws.send(JSON.stringify(frame));
    return 'sent';
  }

  /** Closes a socket (1008, with why: `token_expired` or `agent_removed`); its `close` handler forgets it. */
  async close(connectionId: string, reason: LiveCloseReason = 'token_expired'): Promise<void> {
    this.sockets.get(connectionId)?.ws.close(1008, reason);
  }

  /** Forgets a closed socket; `leaving` gives its lease back (`terminateAll` waits for it). */
  forget(connectionId: string, leaving: Promise<unknown>): void {
    this.sockets.delete(connectionId);
    this.leaving.add(leaving);
    void leaving.finally(() => this.leaving.delete(leaving));
  }

  /**
   * Closes every socket, and resolves once each has given its lease back: the runtime closes the
   * table next, and a lease write still on its way would fail inside dynalite, uncaught.
   */
  async terminateAll(): Promise<void> {
    const sockets = [...this.sockets.values()];
    const closed = sockets.map(({ ws }) => new Promise((resolve) => ws.once('close', resolve)));
    for (const { ws } of sockets) ws.terminate();
    await Promise.all(closed);
    await Promise.all(this.leaving);
  }

  /** Sends `hello`, then whatever waited for it. */
  open(connectionId: string, hello: ServerFrame): void {
    const socket = this.sockets.get(connectionId);
    if (!socket) return;
    const waiting = socket.waiting ?? [];
    socket.waiting = undefined;
    for (const frame of [hello, ...waiting]) socket.ws.send(JSON.stringify(frame));
  }
}

/** The token of `?token=` in an upgrade request's URL. */
function tokenOf(request: IncomingMessage): string | undefined {
  const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  return token && token.length <= 4096 ? token : undefined;
}

/** The local live layer: `/api/live` sockets, and what the change feed publishes to them. */
export interface LocalLive {
  /** How many sockets are open. */
  readonly size: number;
  /** From now on, agents' typing also goes to web-chat visitors through `tell` (the web chat starts later). */
  typingTo(tell: (conversationId: string) => Promise<unknown>): void;
  close(): Promise<void>;
}

/**
 * Answers an upgrade refused: 401 without a valid token, 403 for an agent an admin removed
 * (`agent_removed`, as the agent API refuses them); any other failure drops the connection.
 */
function refuseUpgrade(socket: Duplex, error?: unknown): void {
  if (error !== undefined && !(error instanceof ForbiddenError)) {
    socket.destroy();
    return;
  }
  const status = error ? '403 Forbidden' : '401 Unauthorized';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** What local live updates run on: the change feed, the upgrades, the log, the clock, who may connect. */
interface LocalLiveInput {
  feed: LocalChangeFeed;
  upgrades: LocalUpgrades;
  events: LiveEventLog;
  clock: Clock;
  authenticate(token: string): Promise<Caller | undefined>;
  /** The agents' console leases, in the table as on AWS: routing reads them there. */
  leases?: ConsoleLeases;
  /** The presence each agent chose, for the hello and a connect's announcement. */
  presences?: RegisteredPresences;
  fanOuts?: readonly ChangeFeedConsumer[];
}

/**
 * Starts live updates locally, as the live functions run on AWS: `GET /api/live?token=` upgrades to a
 * WebSocket for an agent of AGENT_TOKENS (401 before the upgrade otherwise); the change feed's records
 * become events kept in the log (`GET /api/events`) and pushed to every socket; frames move viewing
 * and typing. `fanOuts` are further change-feed fan-outs that share this reader (web chat).
 */
export function startLocalLive(input: LocalLiveInput): LocalLive {
  const connections = memoryConnections();
  const sender = new SocketSender();
  let tellVisitors: ((conversationId: string) => Promise<unknown>) | undefined;
  const visitorTyping = async (conversationId: string) => tellVisitors?.(conversationId);
  const { clock, leases, presences } = input;
  const deps = { connections, sender, clock, visitorTyping, leases, presences };
  const nextSeq = seqClock(() => input.clock.now().getTime());
  input.feed.subscribe(
    fanOutChanges([
      publishLiveChanges({ ...deps, events: input.events, nextSeq, log }),
      ...(input.fanOuts ?? []),
    ]),
    'live',
  );
  const server = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  const accept = async (ws: WebSocket, { agentId, expiresAt }: Caller) => {
    const connectionId = randomUUID();
    sender.sockets.set(connectionId, { ws, waiting: [] });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      handleLiveFrame(deps, connectionId, text)
        .then((outcome) => {
          if (outcome.close)
            ws.close(outcome.close, outcome.close === 1008 ? 'agent_removed' : 'frame too large');
          else if (outcome.reply) ws.send(JSON.stringify(outcome.reply));
        })
        .catch((error: unknown) => log('error', 'live frame failed', { error: String(error) }));
    });
    // ws closes the socket itself (1009 for a frame over maxPayload); the error only says why.
    ws.on('error', (error) => log('warn', 'live socket closed on a bad frame', { error: error.message }));
    ws.on('close', () => {
      sender.forget(
        connectionId,
        disconnectLive(deps, connectionId).catch(() => undefined),
      );
    });
    const hello = await connectLive(deps, { connectionId, agentId, expiresAt }).catch((error: unknown) => {
      if (!(error instanceof ForbiddenError)) throw error;
      // Removed as it connected (its lease write refused): closed as the removal closes the others.
      ws.close(1008, 'agent_removed');
    });
    if (hello) sender.open(connectionId, hello);
  };
  input.upgrades.add('/api/live', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const token = tokenOf(request);
    (token ? input.authenticate(token) : Promise.resolve(undefined)).then(
      (caller) => {
        if (!caller) return refuseUpgrade(socket);
        server.handleUpgrade(request, socket, head, (ws) => {
          accept(ws, caller).catch((error: unknown) =>
            log('error', 'live socket not opened', { error: String(error) }),
          );
        });
      },
      (error: unknown) => refuseUpgrade(socket, error),
    );
  });
  return {
    get size() {
      return sender.sockets.size;
    },
    typingTo: (tell) => {
      tellVisitors = tell;
    },
    close: async () => {
      const closed = sender.terminateAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closed;
    },
  };
}
