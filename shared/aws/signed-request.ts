import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import aws4 from 'aws4';

/** The credentials a request is signed with; Lambda puts them in the environment. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Set for temporary credentials (always, on Lambda); sent as `X-Amz-Security-Token`. */
  sessionToken?: string | undefined;
}

/** Gives the credentials for one request; called at request time, so rotated credentials are picked up. */
export type CredentialSource = () => AwsCredentials | Promise<AwsCredentials>;

/** Options every signed call takes. */
export interface AwsCallOptions {
  /** The signing region; the clients otherwise take it from the queue URL or ARN, then AWS_REGION. */
  region?: string;
  /**
   * Sends to this origin instead of AWS's (e.g. `http://127.0.0.1:4566` for LocalStack or a test
   * server); an `http:` origin is sent over plain HTTP. The request is still signed for `region`.
   */
  endpoint?: string;
  /** Defaults to the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. */
  credentials?: CredentialSource;
  /** Gives up (and throws a retryable AwsRequestError) after this long, response body included. */
  timeoutMs?: number;
}

/** One AWS request to sign and send. */
export interface SignedRequest {
  /** The SigV4 signing name: `sqs`, `secretsmanager`, `s3`. */
  service: string;
  region: string;
  method: string;
  /** The full URL, path and query already percent-encoded as they go on the wire. */
  url: string;
  headers?: Record<string, string>;
  body?: string | undefined;
}

/** Options of signedRequest. */
export interface SignedRequestOptions extends Omit<AwsCallOptions, 'region'> {
  /** Refuses a response body larger than this, by Content-Length and while reading (default 10 MiB). */
  maxResponseBytes?: number;
}

/** A successful (2xx) response, body read in full. */
export interface AwsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How long a call may take by default: AWS answers these calls in tens of milliseconds. */
export const DEFAULT_TIMEOUT_MS = 3_000;

const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** The longest service-provided error text kept in an error message. */
const MAX_ERROR_TEXT = 300;

/**
 * Error codes worth retrying whatever the status: the SDK's throttling and transient lists, plus SQS's
 * KMS throttling (`KmsThrottled`, query code `KMS.ThrottlingException`).
 */
const RETRYABLE_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'KmsThrottled',
  'KMS.ThrottlingException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
]);

/**
 * An AWS call that failed: an error answer (`status` ≥ 300, `code` from the body or headers), or no
 * answer at all (`status` 0, `code` the network error's, e.g. ECONNREFUSED, or `TimeoutError`).
 * `retryable` says whether the same request may succeed later (5xx, throttling, network, timeout).
 * The message never contains the request body or credentials.
 */
export class AwsRequestError extends Error {
  override name = 'AwsRequestError';
  /** The HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** AWS's error code without its namespace (`RequestThrottled`, `NoSuchKey`), or a local one. */
  readonly code: string;
  readonly retryable: boolean;
  /** The signing name of the service called. */
  readonly service: string;
  /** AWS's request id, when the response carried one. */
  readonly requestId: string | undefined;

  constructor(
    message: string,
    fields: { status: number; code: string; retryable: boolean; service: string; requestId?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = fields.status;
    this.code = fields.code;
    this.retryable = fields.retryable;
    this.service = fields.service;
    this.requestId = fields.requestId;
  }
}

/** Reads the credentials Lambda sets in the environment; throws AwsRequestError when they are missing. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env, service = 'aws'): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new AwsRequestError('AWS credentials missing: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY unset', {
      status: 0,
      code: 'CredentialsMissing',
      retryable: false,
      service,
    });
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** The region from the options, then AWS_REGION / AWS_DEFAULT_REGION; throws when there is none. */
export function resolveRegion(service: string, ...candidates: (string | undefined)[]): string {
  const region =
    candidates.find((candidate) => candidate) || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new AwsRequestError(`${service}: no region (set AWS_REGION or pass region)`, {
      status: 0,
      code: 'RegionMissing',
      retryable: false,
      service,
    });
  }
  return region;
}

/** The `amazonaws.com` host of a regional service endpoint (`.com.cn` in the China regions). */
export function awsHost(prefix: string, region: string): string {
  return `${prefix}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

// One keep-alive pool per process: a warm Lambda reuses its TLS connection instead of handshaking again.
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 50 });
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 50 });

/**
 * Signs a request with SigV4 (the `aws4` package) and sends it over node:https (node:http for an `http:`
 * endpoint) on a keep-alive connection. Resolves with a 2xx response; throws AwsRequestError for an
 * error answer, a network failure, a timeout or a body over `maxResponseBytes`. A request that fails
 * because AWS had closed the reused keep-alive connection is sent once more on a new one.
 */
export async function signedRequest(
  request: SignedRequest,
  options: SignedRequestOptions = {},
): Promise<AwsResponse> {
  const credentials = await (
    options.credentials ?? (() => credentialsFromEnv(process.env, request.service))
  )();
  let url = new URL(request.url);
  if (options.endpoint) url = new URL(`${url.pathname}${url.search}`, options.endpoint);
  const defaultPort = url.protocol === 'http:' ? '80' : '443';
  const host = url.port && url.port !== defaultPort ? `${url.hostname}:${url.port}` : url.hostname;
  const signed = aws4.sign(
    {
      service: request.service,
      region: request.region,
      method: request.method,
      host,
      path: `${url.pathname}${url.search}`,
      headers: { ...request.headers, Host: host },
      body: request.body,
    },
    credentials,
  );
  const outgoing: OutgoingRequest = {
    url,
    method: request.method,
    // aws4 signed the path as given: a path already fully percent-encoded goes out unchanged.
    path: signed.path ?? '/',
    headers: { 'User-Agent': 'threadline-aws-lite', ...signed.headers },
    body: request.body,
    service: request.service,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
  let response: AwsResponse;
  try {
    response = await send(outgoing);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    try {
      response = await send(outgoing);
    } catch (retryError) {
      throw retryError instanceof StaleSocketError ? retryError.error : retryError;
    }
  }
  if (response.status >= 300) throw errorFromResponse(request.service, response);
  return response;
}

interface OutgoingRequest {
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
class StaleSocketError extends Error {
  override name = 'StaleSocketError';
  constructor(readonly error: AwsRequestError) {
    super(error.message);
  }
}

/** Sends one request and reads the response body, under one timer for the whole exchange. */
function send(request: OutgoingRequest): Promise<AwsResponse> {
  const { url, service, maxResponseBytes } = request;
  const plain = url.protocol === 'http:';
  return new Promise((resolve, reject) => {
    let settled = false;
    let responded = false;
    const settle = (error: Error | undefined, response?: AwsResponse) => {
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
    const tooLarge = (status: number) =>
      new AwsRequestError(`${service}: response larger than ${maxResponseBytes} bytes`, {
        status,
        code: 'ResponseTooLarge',
        retryable: false,
        service,
      });

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
        const status = res.statusCode ?? 0;
        const declared = Number(res.headers['content-length']);
        if (declared > maxResponseBytes) {
          settle(tooLarge(status));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) settle(tooLarge(status));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          settle(undefined, { status, headers: res.headers, body: Buffer.concat(chunks, size) }),
        );
        res.on('error', (error) => settle(networkError(service, error)));
        // The connection closed before the body was complete.
        res.on('close', () => {
          if (!res.complete)
            settle(networkError(service, Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
        });
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

/** A request that got no response: always worth retrying (connection refused or reset, DNS, TLS). */
function networkError(service: string, error: NodeJS.ErrnoException): AwsRequestError {
  const code = error.code ?? 'NetworkError';
  return new AwsRequestError(
    `${service}: request failed: ${code}`,
    {
      status: 0,
      code,
      retryable: true,
      service,
    },
    { cause: error },
  );
}

/**
 * The AwsRequestError for an error answer. The code is JSON's `__type` (or `code`) without its
 * `namespace#` prefix and `:url` suffix, else the `X-Amzn-ErrorType` or awsQueryCompatible
 * `X-Amzn-Query-Error` header's code, else S3's XML `<Code>`.
 */
export function errorFromResponse(service: string, response: AwsResponse): AwsRequestError {
  const { status, headers } = response;
  const text = response.body.toString('utf8', 0, Math.min(response.body.length, 64 * 1024)).trim();
  let code: string | undefined;
  let message: string | undefined;
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      code = stringOf(json.__type) ?? stringOf(json.code) ?? stringOf(json.Code);
      message = stringOf(json.message) ?? stringOf(json.Message);
    } catch {
      // Not JSON after all: keep the status.
    }
  } else if (text.startsWith('<')) {
    code = /<Code>([^<]{1,200})<\/Code>/.exec(text)?.[1];
    message = /<Message>([^<]{1,2000})<\/Message>/.exec(text)?.[1];
  }
  const queryCode = headerOf(headers, 'x-amzn-query-error')?.split(';')[0];
  code = sanitizeErrorCode(code ?? headerOf(headers, 'x-amzn-errortype') ?? queryCode ?? `Http${status}`);
  const retryable =
    status >= 500 ||
    status === 429 ||
    RETRYABLE_CODES.has(code) ||
    (queryCode !== undefined && RETRYABLE_CODES.has(queryCode));
  const requestId = headerOf(headers, 'x-amzn-requestid') ?? headerOf(headers, 'x-amz-request-id');
  const detail = message ? `: ${clip(message)}` : '';
  return new AwsRequestError(`${service}: HTTP ${status} ${code}${detail}`, {
    status,
    code,
    retryable,
    service,
    ...(requestId ? { requestId } : {}),
  });
}

function sanitizeErrorCode(raw: string): string {
  const code = raw.split(',')[0]?.split(':')[0] ?? raw;
  const hash = code.indexOf('#');
  return (hash >= 0 ? code.slice(hash + 1) : code).trim() || 'Unknown';
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** Keeps AWS's own error text short and on one line (it names parameters; it is not our request). */
function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > MAX_ERROR_TEXT ? `${line.slice(0, MAX_ERROR_TEXT)}…` : line;
}

/** A successful response's JSON object body; throws a retryable AwsRequestError if it is not one. */
export function parseJsonObject(service: string, body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below, without the body.
  }
  throw new AwsRequestError(`${service}: the response is not a JSON object`, {
    status: 200,
    code: 'InvalidResponse',
    retryable: true,
    service,
  });
}
