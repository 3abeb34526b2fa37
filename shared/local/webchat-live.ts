import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { visitorSubscription } from '../app/connect-visitor.js';
import { fanOutToVisitors } from '../app/fan-out-to-visitors.js';
import { markWebchatRead } from '../app/mark-webchat-read.js';
import { tellVisitorsTyping } from '../app/tell-visitors-typing.js';
import type { ChangeFeedConsumer } from '../domain/change-feed.js';
import type { VisitorConnections, VisitorPush, VisitorReads } from '../domain/webchat/live-ports.js';
import { ReadRequestSchema } from '../domain/webchat/requests.js';
import { ENDED_CLOSE, overCap, REPLACED_CLOSE, REPLACED_FRAME } from '../domain/webchat/session-sockets.js';
import { openSession, sessionEnded } from '../domain/webchat/visitor.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';
import { log } from '../log.js';
import type { UpgradeHandler } from './upgrades.js';

/** The visitors' sockets in memory: one process holds every connection locally. */
class LocalVisitorConnections implements VisitorConnections, VisitorPush {
  readonly sockets = new Map<string, WebSocket>();
  readonly #following = new Map<string, Set<string>>();
  readonly #identities = new Map<string, Set<string>>();
  /** Each session's sockets, oldest first (a Set keeps its insertion order). */
  readonly #sessions = new Map<string, Set<string>>();

  /** Keeps a socket; answers its session's sockets over SESSION_SOCKETS_MAX, oldest first. */
  add(id: string, socket: WebSocket, identities: readonly string[], sessionHash: string): string[] {
    this.sockets.set(id, socket);
    for (const token of identities) this.#set(this.#identities, token).add(id);
    return overCap([...this.#set(this.#sessions, sessionHash).add(id)]);
  }
  /** Closes the sockets of a session that ended (ENDED_CLOSE). */
  end(sessionHash: string): void {
    for (const id of this.#sessions.get(sessionHash) ?? []) {
      this.sockets.get(id)?.close(ENDED_CLOSE.code, ENDED_CLOSE.reason);
      void this.drop(id);
    }
  }
  /** Closes a socket for a newer one of its session: REPLACED_FRAME, then the close. */
  retire(id: string): void {
    const socket = this.sockets.get(id);
    void this.drop(id);
    if (!socket || socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(REPLACED_FRAME));
    socket.close(REPLACED_CLOSE.code, REPLACED_CLOSE.reason);
  }
  #set(map: Map<string, Set<string>>, key: string): Set<string> {
    const set = map.get(key) ?? new Set<string>();
    map.set(key, set);
    return set;
  }
  async following(customerId: string): Promise<string[]> {
    return [...(this.#following.get(customerId) ?? [])];
  }
  async ofIdentity(token: string): Promise<string[]> {
    return [...(this.#identities.get(token) ?? [])];
  }
  async follow(connectionId: string, customerId: string): Promise<void> {
    if (this.sockets.has(connectionId)) this.#set(this.#following, customerId).add(connectionId);
  }
  async push(connectionId: string, frames: readonly unknown[]): Promise<'sent' | 'gone'> {
    const socket = this.sockets.get(connectionId);
    if (!socket || socket.readyState !== socket.OPEN) return 'gone';
    for (const frame of frames) socket.send(JSON.stringify(frame));
    return 'sent';
  }
  async drop(connectionId: string): Promise<void> {
    this.sockets.delete(connectionId);
    for (const map of [this.#following, this.#identities, this.#sessions]) {
      for (const [key, set] of map) if (set.delete(connectionId) && set.size === 0) map.delete(key);
    }
  }
}

/**
 * A visitor's frame on the socket: `read` receipts (as `POST /webchat/read`), and pings, answered
 * while the session lasts; a session that ended closes the socket (ENDED_CLOSE).
 */
async function onVisitorFrame(
  deps: WebchatDeps,
  from: { authorization: string; tokenHash: string; socket: WebSocket },
  data: string,
) {
  const { socket } = from;
  if (data.length > 8192) return socket.close(1009, 'frame too large');
  let frame: { type?: unknown; messageIds?: unknown };
  try {
    frame = JSON.parse(data);
  } catch {
    return socket.close(1007, 'frames are JSON');
  }
  if (frame.type === 'ping') {
    if (await sessionEnded(deps.store, from.tokenHash, deps.clock.now()))
      return socket.close(ENDED_CLOSE.code, ENDED_CLOSE.reason);
    return socket.send(JSON.stringify({ type: 'pong' }));
  }
  const read =
    frame.type === 'read' ? ReadRequestSchema.safeParse({ messageIds: frame.messageIds }) : undefined;
  const { authorization } = from;
  if (read?.success) await markWebchatRead(deps, { authorization, messageIds: read.data.messageIds });
}

/**
 * `/webchat/live?session=<sessionToken>` locally: a visitor's WebSocket, fed from the change feed
 * through the same fan-out use case as on AWS, with visitorSubscription as its subscription. A missing, unknown or expired session is refused with 401 before the upgrade. A session holds at most SESSION_SOCKETS_MAX sockets: a newer one closes the oldest (REPLACED_FRAME, then REPLACED_CLOSE), as on AWS.
 */
export function startWebchatLive(deps: WebchatDeps, options: { aiAnswers: boolean; reads: VisitorReads }) {
  const connections = new LocalVisitorConnections();
  const server = new WebSocketServer({ noServer: true, maxPayload: 8192 });
  const upgrade: UpgradeHandler = (request: IncomingMessage, socket, head) => {
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('session') ?? '';
    const authorization = `Bearer ${token.slice(0, 64)}`;
    const now = deps.clock.now();
    openSession(deps.store, authorization, now, deps.sessionTtlMs)
      .then(async (session) => {
        const { follows, identities } = await visitorSubscription(deps.store, session);
        server.handleUpgrade(request, socket, head, (ws) => {
          const id = randomUUID();
          const over = connections.add(id, ws, identities, session.tokenHash);
          for (const subject of follows) void connections.follow(id, subject);
          for (const old of over) connections.retire(old);
          ws.on('message', (data) => {
            const from = { authorization, tokenHash: session.tokenHash, socket: ws };
            onVisitorFrame(deps, from, String(data)).catch((error: Error) =>
              log('warn', 'web-chat frame failed', { error: error.name }),
            );
          });
          ws.on('close', () => void connections.drop(id));
          ws.send(JSON.stringify({ type: 'ready' }));
        });
      })
      .catch(() => socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  };
  const consume: ChangeFeedConsumer = async (records) => {
    const { getTimelineItem } = options.reads;
    const fanOut = { connections, push: connections, aiAnswers: options.aiAnswers, getTimelineItem };
    await fanOutToVisitors(fanOut, records);
    return {};
  };
  const typing = (conversationId: string) =>
    tellVisitorsTyping({ connections, push: connections, ...options.reads }, conversationId);
  return {
    upgrade,
    consume,
    typing,
    /** Closes an ended session's sockets now (`DELETE /webchat/sessions`). */
    endSockets: async (tokenHash: string) => connections.end(tokenHash),
    close: () => {
      for (const socket of connections.sockets.values()) socket.terminate();
      server.close();
    },
  };
}
