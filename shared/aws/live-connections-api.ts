import type { ServerFrame } from '../domain/live/events.js';
import type { LiveSender } from '../domain/live/live-ports.js';
import { AwsRequestError } from './request-error.js';
import { type AwsCallOptions, resolveRegion, signedRequest } from './signed-request.js';

/** The region of an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`), if it says one. */
export function executeApiRegion(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(url).hostname)?.[1];
}

/** Posts one frame to one WebSocket connection; `gone` when API Gateway no longer knows it (410). */
export type ConnectionPost = (connectionId: string, frame: unknown) => Promise<'sent' | 'gone'>;

/**
 * API Gateway's management API without the SDK: `POST <callbackUrl>/@connections/<id>` with the frame as
 * its body, signed with SigV4 (`execute-api`). A 410 (GoneException) is a socket that closed: `gone`;
 * any other failure throws, so the change-feed consumer retries. `callbackUrl` is the stage's `https://` URL.
 */
export function connectionPost(
  callbackUrl: string,
  region: string,
  options: Omit<AwsCallOptions, 'region'> = {},
): ConnectionPost {
  const base = callbackUrl.replace(/\/+$/, '');
  return async (connectionId, frame) => {
    try {
      await signedRequest(
        {
          service: 'execute-api',
          region,
          method: 'POST',
          url: `${base}/@connections/${encodeURIComponent(connectionId)}`,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(frame),
        },
        options,
      );
      return 'sent';
    } catch (error) {
      if (error instanceof AwsRequestError && error.status === 410) return 'gone';
      throw error;
    }
  };
}

/**
 * Closes one WebSocket connection: `DELETE <callbackUrl>/@connections/<id>` (API Gateway then runs
 * `$disconnect`); a 410, already gone, is fine; any other failure throws.
 */
export function connectionDelete(
  callbackUrl: string,
  region: string,
  options: Omit<AwsCallOptions, 'region'> = {},
): (connectionId: string) => Promise<void> {
  const base = callbackUrl.replace(/\/+$/, '');
  return async (connectionId) => {
    const url = `${base}/@connections/${encodeURIComponent(connectionId)}`;
    await signedRequest({ service: 'execute-api', region, method: 'DELETE', url }, options).catch(
      (error: unknown) => {
        if (!(error instanceof AwsRequestError && error.status === 410)) throw error;
      },
    );
  };
}

/**
 * The agents' live sockets: each frame posted with {@link connectionPost}, the region from the URL; a
 * socket closed with `DELETE <callbackUrl>/@connections/<id>` (API Gateway then runs `$disconnect`; a
 * 410, already gone, is fine).
 */
export function liveConnectionsApi(callbackUrl: string, options: AwsCallOptions = {}): LiveSender {
  const region = resolveRegion('execute-api', options.region, executeApiRegion(callbackUrl));
  const post = connectionPost(callbackUrl, region, options);
  return {
    send: (connectionId: string, frame: ServerFrame) => post(connectionId, frame),
    close: connectionDelete(callbackUrl, region, options),
  };
}
