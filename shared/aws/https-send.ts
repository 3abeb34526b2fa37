import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { AwsRequestError, networkError } from './request-error.js';

/** A successful (2xx) response, body read in full. */
export interface AwsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// One keep-alive pool per process: a warm Lambda reuses its TLS connection instead of handshaking again.
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 50 });
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 50 });

/** A signed request as it goes on the wire, with the limits of its exchange. */
export interface OutgoingRequest {
  url: URL;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: string | undefined;
  service: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** A reused keep-alive socket that turned out closed before any response: safe to send again. */
export class StaleSocketError extends Error {
  override name = 'StaleSocketError';
  constructor(readonly error: AwsRequestError) {
    super(error.message);
  }
}

type Settle = (error: Error | undefined, response?: AwsResponse) => void;

/** Sends one request and reads the response body, under one timer for the whole exchange. */
export function send(request: OutgoingRequest): Promise<AwsResponse> {
  const { url, service } = request;
  const plain = url.protocol === 'http:';
  return new Promise((resolve, reject) => {
    let settled = false;
    let responded = false;
    const settle: Settle = (error, response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else if (response) {
        resolve(response);
      }
    };

    const req = (plain ? http : https).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent: plain ? httpAgent : httpsAgent,
      },
      (res) => {
        responded = true;
        readResponse(res, request, settle);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const failure = networkError(service, error);
      settle(
        !responded && req.reusedSocket && error.code === 'ECONNRESET'
          ? new StaleSocketError(failure)
          : failure,
      );
    });
    const timer = setTimeout(() => {
      settle(
        new AwsRequestError(`${service}: no complete response within ${request.timeoutMs} ms`, {
          status: 0,
          code: 'TimeoutError',
          retryable: true,
          service,
        }),
      );
    }, request.timeoutMs);
    req.end(request.body);
  });
}

/** Reads a response body under `maxResponseBytes` (declared and counted), then settles the exchange. */
function readResponse(res: IncomingMessage, request: OutgoingRequest, settle: Settle): void {
  const { service, maxResponseBytes } = request;
  const status = res.statusCode ?? 0;
  const tooLarge = () =>
    new AwsRequestError(`${service}: response larger than ${maxResponseBytes} bytes`, {
      status,
      code: 'ResponseTooLarge',
      retryable: false,
      service,
    });
  const declared = Number(res.headers['content-length']);
  if (declared > maxResponseBytes) {
    settle(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxResponseBytes) settle(tooLarge());
    else chunks.push(chunk);
  });
  res.on('end', () => settle(undefined, { status, headers: res.headers, body: Buffer.concat(chunks, size) }));
  res.on('error', (error) => settle(networkError(service, error)));
  // The connection closed before the body was complete.
  res.on('close', () => {
    if (!res.complete)
      settle(networkError(service, Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  });
}
