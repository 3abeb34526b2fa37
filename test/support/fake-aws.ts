import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '#shared/aws/signed-request.js';

/** A request as the fake endpoint received it. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** 1 for the first request on its connection, 2 for the next on the same (keep-alive) one, ... */
  onSocket: number;
}

/** What the fake endpoint answers: a response, a streamed body without Content-Length, or nothing. */
export type Reply =
  | { status?: number; headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[] }
  | 'hang'
  | 'destroy';

/** What the endpoint should have been signed for: the SDK's signer recomputes the signature with it. */
export interface Expected {
  service: string;
  region: string;
  credentials: AwsCredentials;
}

/**
 * A local HTTP server playing the AWS endpoint. Every request's Authorization header is recomputed by
 * the SDK's own signer (@smithy/signature-v4, configured as the SDK configures it for the service) from
 * the request as received, the expected credentials and the request's X-Amz-Date; a difference is
 * recorded in `mismatches` and answered 403 SignatureDoesNotMatch, as AWS would.
 */
export class FakeAws {
  readonly received: Received[] = [];
  readonly mismatches: string[] = [];
  expected: Expected;
  reply: (request: Received) => Reply = () => ({ status: 200, body: '{}' });
  readonly #server: Server;
  readonly #requestsOnSocket = new WeakMap<Socket, number>();

  constructor(expected: Expected) {
    this.expected = expected;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const onSocket = (this.#requestsOnSocket.get(req.socket) ?? 0) + 1;
        this.#requestsOnSocket.set(req.socket, onSocket);
        const received: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
          onSocket,
        };
        this.received.push(received);
        const reply = this.reply(received);
        if (reply === 'destroy') {
          req.socket.destroy();
          return;
        }
        const mismatch = await this.#checkSignature(received);
        if (mismatch) {
          this.mismatches.push(mismatch);
          res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({ __type: 'com.amazon.coral.service#SignatureDoesNotMatch', message: mismatch }),
          );
          return;
        }
        if (reply === 'hang') return;
        if (reply.chunks) {
          res.writeHead(reply.status ?? 200, reply.headers);
          for (const chunk of reply.chunks) res.write(chunk);
          res.end();
          return;
        }
        res.writeHead(reply.status ?? 200, reply.headers);
        res.end(reply.body);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Undefined when the SDK's signer computes the same Authorization header; else what differs. */
  async #checkSignature(received: Received): Promise<string | undefined> {
    const { service, region, credentials } = this.expected;
    const amzDate = String(received.headers['x-amz-date'] ?? '');
    const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!parts) return `bad X-Amz-Date ${amzDate}`;
    const [, y, mo, d, h, mi, s] = parts.map(Number) as number[];
    const signingDate = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s));
    if (Math.abs(signingDate.getTime() - Date.now()) > 60_000) return `X-Amz-Date ${amzDate} is not now`;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(received.headers)) {
      if (value !== undefined && name !== 'authorization') headers[name] = String(value);
    }
    const [path = '/', query = ''] = received.url.split('?');
    const [hostname = '', port] = (headers.host ?? '').split(':');
    // As the SDK configures SigV4: S3 signs the path as sent (no second encoding); no checksum header
    // is added here, so exactly the headers that arrived are signed.
    const signer = new SignatureV4({
      service,
      region,
      credentials,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: service !== 's3',
      applyChecksum: false,
    });
    const signed = await signer.sign(
      {
        method: received.method,
        protocol: 'http:',
        hostname,
        port: port ? Number(port) : undefined,
        path,
        query: Object.fromEntries(new URLSearchParams(query)),
        headers,
        body: received.body,
      },
      { signingDate },
    );
    const expected = signed.headers.authorization;
    const actual = received.headers.authorization;
    return expected === actual
      ? undefined
      : `Authorization differs: got ${actual}, the SDK signs ${expected}`;
  }
}
