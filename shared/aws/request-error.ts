import type { IncomingHttpHeaders } from 'node:http';
import type { AwsResponse } from './https-send.js';

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
  /** The error answer's JSON document, when it was one (e.g. DynamoDB's item on a failed condition). */
  readonly document: Record<string, unknown> | undefined;

  constructor(
    message: string,
    fields: {
      status: number;
      code: string;
      retryable: boolean;
      service: string;
      requestId?: string;
      document?: Record<string, unknown>;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = fields.status;
    this.code = fields.code;
    this.retryable = fields.retryable;
    this.service = fields.service;
    this.requestId = fields.requestId;
    this.document = fields.document;
  }
}

/** A request that got no response: always worth retrying (connection refused or reset, DNS, TLS). */
export function networkError(service: string, error: NodeJS.ErrnoException): AwsRequestError {
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
  let document: Record<string, unknown> | undefined;
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      document = json;
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
    ...(document ? { document } : {}),
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
