import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake provider received: its path and the credentials it carried. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
}

/** How the fake answers one path instead of the file it serves by default. */
export type FakeAnswer =
  | { status: number }
  | { redirect: string }
  | { hang: true }
  | { body: Uint8Array; type: string; length?: number };

/** The bytes a file of the fake is: its name repeated, so each file is told apart. */
export const fakeBytes = (name: string, size = 64): Uint8Array =>
  new Uint8Array(Buffer.from(name.repeat(Math.ceil(size / name.length)).slice(0, size)));

/**
 * A local stand-in for Twilio's REST API and Meta's Graph API and CDN, on one loopback port (no
 * internet here): `GET /v23.0/<media id>` answers the media object (with the Bearer token it expects),
 * whose `url` is `/cdn/<media id>` on the same origin; `GET /2010-04-01/...` answers a Twilio file (with
 * the basic auth it expects). `answers` overrides a path's answer; `seen` records every request.
 */
export async function startFakeMediaProvider(expect: { bearer: string; basic: string }) {
  const seen: SeenRequest[] = [];
  const answers = new Map<string, FakeAnswer>();
  const sockets = new Set<import('node:net').Socket>();
  let origin = '';
  const send = (res: ServerResponse, status: number, type: string, body: Uint8Array | string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const authorization = req.headers.authorization;
    seen.push({ path, authorization });
    const override = answers.get(path);
    if (override && 'hang' in override) return;
    if (override && 'redirect' in override) {
      res.writeHead(307, { location: override.redirect });
      return res.end();
    }
    if (override && 'status' in override) return send(res, override.status, 'application/json', '{}');
    if (override && 'body' in override) {
      res.writeHead(200, {
        'content-type': override.type,
        ...(override.length !== undefined ? { 'content-length': String(override.length) } : {}),
      });
      return res.end(override.body);
    }
    const graph = /^\/v\d+\.\d+\/([^/?]+)$/.exec(path);
    if (graph) {
      if (authorization !== `Bearer ${expect.bearer}`) return send(res, 401, 'application/json', '{}');
      const id = decodeURIComponent(graph[1] ?? '');
      const object = {
        messaging_product: 'whatsapp',
        url: `${origin}/cdn/${id}`,
        mime_type: 'image/jpeg',
        file_size: 64,
        id,
      };
      return send(res, 200, 'application/json', JSON.stringify(object));
    }
    if (path.startsWith('/cdn/')) {
      if (authorization !== `Bearer ${expect.bearer}`) return send(res, 401, 'application/json', '{}');
      return send(res, 200, 'image/jpeg', fakeBytes(path));
    }
    if (path.startsWith('/2010-04-01/')) {
      if (authorization !== `Basic ${expect.basic}`) return send(res, 401, 'application/xml', '<Error/>');
      const type = path.endsWith('.mp3') ? 'audio/mpeg' : 'image/png';
      return send(res, 200, type, fakeBytes(path));
    }
    send(res, 404, 'application/json', '{}');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    answers,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Twilio's basic-auth value for an Account SID and Auth Token. */
export const basicOf = (sid: string, token: string) => Buffer.from(`${sid}:${token}`).toString('base64');
