import type { MediaFile } from '../domain/media.js';
import { BadGatewayError, NotFoundError, PayloadTooLargeError } from '../errors.js';

/** Redirects followed at most: Twilio sends a media request on to its CDN once. */
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Which hosts one provider's fetch may reach, and the credentials each is sent. */
export interface FetchRules {
  /** The provider's name, for errors and logs (`Twilio`, `WhatsApp`, `Meta`). */
  provider: string;
  /**
   * Whether the address may be fetched, checked at every hop: `hop` 0 is the address Threadline stored
   * or was given by the provider's API, later ones the provider's redirects.
   */
  allowed(url: URL, hop: number): boolean;
  /** The headers (credentials) to send to this address; none to a host they are not for. */
  headers(url: URL): Record<string, string>;
}

/** How one fetch runs: the fetch function, its time limit for every hop, the most bytes read. */
export interface FetchLimits {
  fetch: typeof fetch;
  signal: AbortSignal;
  maxBytes: number;
}

/**
 * GETs a provider's file: every address, the first and each redirect's, checked against the rules
 * before it is asked (never a request elsewhere), redirects followed by hand (at most 3), a declared
 * length over the limit refused before the body is read and a body read only up to the limit. A refusal
 * or failure of the provider is a BadGatewayError with a code; an address not the provider's a
 * NotFoundError (Threadline holds no file it may fetch); a file over the limit a PayloadTooLargeError.
 */
export async function fetchProviderFile(
  first: URL,
  rules: FetchRules,
  limits: FetchLimits,
): Promise<MediaFile> {
  let url = first;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    if (!rules.allowed(url, hop))
      throw new NotFoundError(
        hop === 0
          ? `this file's address is not ${rules.provider}'s: Threadline fetches files from their provider only`
          : `${rules.provider} sent the file on to a host that is not its own: not fetched`,
      );
    const response = await ask(url, rules, limits);
    if (REDIRECTS.has(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw refused(rules.provider, response.status);
      url = new URL(location, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw refused(rules.provider, response.status);
    }
    const body = await readCapped(response, rules.provider, limits);
    return { body, contentType: response.headers.get('content-type') ?? '' };
  }
  throw new BadGatewayError(
    `${rules.provider} redirected the file more than ${MAX_REDIRECTS} times`,
    'media_unavailable',
  );
}

/** One request, its network failure or time-out told apart from the provider's answer. */
async function ask(url: URL, rules: FetchRules, limits: FetchLimits): Promise<Response> {
  try {
    return await limits.fetch(url, {
      headers: rules.headers(url),
      redirect: 'manual',
      signal: limits.signal,
    });
  } catch (error) {
    const timedOut = limits.signal.aborted;
    throw new BadGatewayError(
      timedOut
        ? `${rules.provider} did not answer in time; try again, or open the file in ${rules.provider}'s console`
        : `${rules.provider} could not be reached; try again`,
      'provider_unreachable',
      { cause: error },
    );
  }
}

function refused(provider: string, status: number): BadGatewayError {
  const gone = status === 404 || status === 410 ? ' (it may have expired or been deleted there)' : '';
  return new BadGatewayError(`${provider} refused the file: HTTP ${status}${gone}`, 'media_unavailable');
}

/** The error of a file over the limit, telling the agent where to open it instead. */
export function tooLarge(provider: string, maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `the file is larger than the ${maxBytes} bytes the agent API answers: open it in ${provider}'s console`,
    'media_too_large',
  );
}

/** The body, read chunk by chunk and dropped as soon as it passes the limit. */
async function readCapped(response: Response, provider: string, limits: FetchLimits): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(provider, limits.maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const read = reader ? await reader.read() : { done: true as const, value: undefined };
      if (read.done) break;
      size += read.value.byteLength;
      if (size > limits.maxBytes) {
        await reader?.cancel();
        throw tooLarge(provider, limits.maxBytes);
      }
      chunks.push(read.value);
    }
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw error;
    throw new BadGatewayError(`${provider} broke off sending the file; try again`, 'provider_unreachable', {
      cause: error,
    });
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
