import type { VisitorFrame } from '../domain/webchat/visitor-view.js';
import { AwsRequestError } from './request-error.js';
import { type SignedRequestOptions, signedRequest } from './signed-request.js';

/**
 * Posts frames to WebSocket API connections (`POST /@connections/{id}` of the API's management
 * endpoint, SigV4 `execute-api`), without the SDK. A connection API Gateway no longer knows (410) is
 * `gone`; any other failure throws, so the change-feed consumer retries the record.
 */
export function websocketPush(
  endpoint: string,
  region: string,
  options: SignedRequestOptions = {},
): { push(connectionId: string, frames: readonly VisitorFrame[]): Promise<'sent' | 'gone'> } {
  const base = endpoint.replace(/\/$/, '');
  return {
    async push(connectionId, frames) {
      for (const frame of frames) {
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
        } catch (error) {
          if (error instanceof AwsRequestError && error.status === 410) return 'gone';
          throw error;
        }
      }
      return 'sent';
    },
  };
}
