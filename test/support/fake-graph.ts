import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Graph error body as Meta documents it. */
export const graphErrorBody = (code: number, subcode?: number) => ({
  error: {
    message: 'Meta says something here',
    type: 'OAuthException',
    code,
    ...(subcode !== undefined ? { error_subcode: subcode } : {}),
    fbtrace_id: 'AbCdEfGh',
  },
});

/** A request the fake Graph received: method, path (query included) and the body it carried. */
export interface GraphRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/**
 * A local stand-in for Meta's Graph API (META_GRAPH_URL) on a loopback port: `POST /<v>/<id>/messages`
 * answers a message id, or the error `refusals` holds for the recipient's id (HTTP 400); `GET
 * /<v>/<scoped id>?fields=...` answers the error `refusals` holds for that id, else the profile `profiles` holds, else error 100.
 */
export async function startFakeGraph() {
  const seen: GraphRequest[] = [];
  const refusals = new Map<string, { code: number; subcode?: number; status?: number }>();
  const profiles = new Map<string, Record<string, string>>();
  let sent = 0;
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      seen.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body });
      if (req.method === 'POST' && /^\/v\d+\.\d+\/[^/]+\/messages$/.test(path)) {
        const recipient = (body as { recipient?: { id?: string } } | undefined)?.recipient?.id ?? '';
        const refusal = refusals.get(recipient);
        if (refusal) return answer(res, refusal.status ?? 400, graphErrorBody(refusal.code, refusal.subcode));
        sent += 1;
        return answer(res, 200, { recipient_id: recipient, message_id: `m_fake${sent}` });
      }
      const profile = /^\/v\d+\.\d+\/(\d+)\?fields=/.exec(path);
      if (req.method === 'GET' && profile) {
        const refusal = refusals.get(profile[1] ?? '');
        if (refusal) return answer(res, refusal.status ?? 400, graphErrorBody(refusal.code, refusal.subcode));
        const found = profiles.get(profile[1] ?? '');
        return found ? answer(res, 200, { ...found, id: profile[1] }) : answer(res, 400, graphErrorBody(100));
      }
      answer(res, 404, graphErrorBody(803));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    refusals,
    profiles,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
