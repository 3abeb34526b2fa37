import type { VisitorFrame } from '../domain/webchat/visitor-view.js';
import { connectionPost } from './live-connections-api.js';
import type { SignedRequestOptions } from './signed-request.js';

/**
 * Posts a visitor's frames, in order, to their WebSocket API connection (the visitors' management
 * endpoint), without the SDK; `gone` as soon as API Gateway no longer knows the connection (410).
 */
export function websocketPush(
  endpoint: string,
  region: string,
  options: SignedRequestOptions = {},
): { push(connectionId: string, frames: readonly VisitorFrame[]): Promise<'sent' | 'gone'> } {
  const post = connectionPost(endpoint, region, options);
  return {
    async push(connectionId, frames) {
      for (const frame of frames) if ((await post(connectionId, frame)) === 'gone') return 'gone';
      return 'sent';
    },
  };
}
