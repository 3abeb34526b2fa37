import { randomInt } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { retryAfterMs } from '../domain/retry-after.js';
import type { PostOutcome, WebhookPoster, WebhookSigner } from '../domain/webhook-ports.js';
import { refusedAddress, refusedUrl, type UrlPolicy } from '../domain/webhook-url.js';

class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

/**
 * Resolves a host name and refuses it if any address it resolves to may not be reached; the
 * connection then goes to an address checked here, so a DNS answer cannot change in between.
 */
function safeLookup(policy: UrlPolicy, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => refusedAddress(a.address, policy)).find(Boolean);
      if (refused || addresses.length === 0) {
        return callback(new RefusedAddressError(refused ?? `${hostname} has no address`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

/** Options of the poster: the URL policy, the timeout, and (tests) the resolver. */
export interface PosterOptions {
  policy: UrlPolicy;
  timeoutMs: number;
  resolve?: typeof dnsLookup;
}

/**
 * POSTs a webhook with node:http(s): refuses URLs and resolved addresses that lead into the network
 * (checked at every delivery), gives up after `timeoutMs`, never follows a redirect (a 3xx is a
 * failure), and reads at most 64 KiB of the answer.
 */
export function webhookPoster(options: PosterOptions): WebhookPoster {
  const lookup = safeLookup(options.policy, options.resolve ?? dnsLookup);
  return ({ url, headers, body }) => {
    const refused = refusedUrl(url, options.policy);
    if (refused) return Promise.resolve({ kind: 'refused', reason: refused });
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostOutcome>((resolve) => {
      const req = send(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        timeout: options.timeoutMs,
      });
      const timer = setTimeout(() => req.destroy(new Error('timeout')), options.timeoutMs);
      const done = (outcome: PostOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) =>
        done(
          error instanceof RefusedAddressError
            ? { kind: 'refused', reason: error.message }
            : {
                kind: 'failed',
                reason:
                  error.message === 'timeout'
                    ? `no answer within ${options.timeoutMs} ms`
                    : ((error as NodeJS.ErrnoException).code ?? 'connection failed'),
              },
        ),
      );
      req.on('response', (res: IncomingMessage) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) res.destroy();
        });
        const answered = () =>
          done({
            kind: 'answered',
            status: res.statusCode ?? 0,
            retryAfterMs: retryAfterMs(res.headers['retry-after'], Date.now()),
          });
        res.on('end', answered);
        res.on('close', answered);
      });
      req.end(body);
    });
  };
}

/** Signs with the `standardwebhooks` reference implementation: one `v1,<base64>` per secret. */
export const standardWebhooksSigner: WebhookSigner = (secrets, id, at, body) =>
  secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');

/**
 * How deliveries reach endpoints, whatever runs them: the signed POST under the URL policy and the
 * timeout, and the retry jitter.
 */
export function webhookTransport(options: PosterOptions): {
  post: WebhookPoster;
  sign: WebhookSigner;
  random: () => number;
} {
  return {
    post: webhookPoster(options),
    sign: standardWebhooksSigner,
    random: () => randomInt(1_000_000) / 1_000_000,
  };
}
