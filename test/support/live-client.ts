import WebSocket from 'ws';
import type { ServerFrame } from '#shared/domain/live/events.js';

/** A `ws` client of `/api/live` that keeps every frame it got and can wait for one. */
export interface LiveClient {
  ws: WebSocket;
  frames: ServerFrame[];
  /** The first frame (already got or to come) that matches, or a failure after `timeoutMs`. */
  next<T extends ServerFrame>(match: (frame: ServerFrame) => frame is T, timeoutMs?: number): Promise<T>;
  next(match: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  send(frame: unknown): void;
  /** Resolves with the close code. */
  closed: Promise<number>;
}

/** Opens a socket on `url` (`ws://.../api/live?token=`) and resolves once it is open, or rejects with the HTTP status. */
export function connectLiveClient(url: string): Promise<LiveClient> {
  const ws = new WebSocket(url);
  const frames: ServerFrame[] = [];
  const waiters: Array<{ match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    frames.push(frame);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(frame)) waiter.resolve(frame);
      else waiters.push(waiter);
    }
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const client: LiveClient = {
    ws,
    frames,
    next: (match: (frame: ServerFrame) => boolean, timeoutMs = 5_000) => {
      const found = frames.find(match);
      if (found) return Promise.resolve(found);
      return new Promise<ServerFrame>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such frame came')), timeoutMs);
        waiters.push({
          match,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        });
      });
    },
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    closed,
  } as LiveClient;
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(client));
    ws.on('unexpected-response', (_request, response) => reject(new Error(`status ${response.statusCode}`)));
    ws.on('error', reject);
  });
}

/**
 * An agent's console open on a local runtime started with `live: true`: their socket on `/api/live`,
 * once its `hello` came (their console lease is written by then). Routing and take-next give
 * conversations only to online agents who have one. Close it with `ws.terminate()`.
 */
export async function openConsole(port: number, token: string): Promise<LiveClient> {
  const client = await connectLiveClient(`ws://127.0.0.1:${port}/api/live?token=${token}`);
  await client.next((frame) => frame.type === 'hello');
  return client;
}
