import type { ServerFrame } from '../domain/live/events.js';
import type { LiveSender } from '../domain/live/live-ports.js';
import { AwsRequestError } from './request-error.js';
import { type AwsCallOptions, resolveRegion, signedRequest } from './signed-request.js';

/** The region of an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`), if it says one. */
export function executeApiRegion(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(url).hostname)?.[1];
}

/**
 * API Gateway's management API without the SDK: `POST <callbackUrl>/@connections/<id>` with the frame as
 * its body, signed with SigV4 (`execute-api`). A 410 (GoneException) is a socket that closed: `gone`.
 * `callbackUrl` is the WebSocket stage's `https://` URL.
 */
export function liveConnectionsApi(callbackUrl: string, options: AwsCallOptions = {}): LiveSender {
  const base = callbackUrl.replace(/\/+$/, '');
  const region = resolveRegion('execute-api', options.region, executeApiRegion(base));
  return {
    async send(connectionId: string, frame: ServerFrame) {
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
    },
  };
}
