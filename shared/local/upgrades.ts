import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Takes a WebSocket upgrade request for one path (the `ws` server's `handleUpgrade` goes here). */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The local HTTP server's WebSocket routes (`/api/live`, `/webchat/live`), one handler per path. An upgrade
 * to any other path is answered 404 and closed, so a stray client never hangs.
 */
export class LocalUpgrades {
  readonly #routes = new Map<string, UpgradeHandler>();

  /** Routes upgrades for `path` (exact, without the query) to `handler`. */
  add(path: string, handler: UpgradeHandler): void {
    if (this.#routes.has(path)) throw new Error(`an upgrade route for ${path} exists already`);
    this.#routes.set(path, handler);
  }

  /** Listens for upgrades on `server`. */
  attach(server: Pick<Server, 'on'>): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const handler = this.#routes.get(path);
      if (handler) return handler(request, socket, head);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }
}
