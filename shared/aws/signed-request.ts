import aws4 from 'aws4';
import { type AwsResponse, type OutgoingRequest, StaleSocketError, send } from './https-send.js';
import { AwsRequestError, errorFromResponse } from './request-error.js';

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

/** How long a call may take by default: AWS answers these calls in tens of milliseconds. */
export const DEFAULT_TIMEOUT_MS = 3_000;

const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

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
