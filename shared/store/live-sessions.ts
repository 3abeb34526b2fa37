import type { Identity } from '../domain/envelope.js';
import { identityToken } from '../domain/identity.js';
import { type DynamoDb, queryItems } from './dynamo-client.js';
import { queryLiveSessionLinksInput } from './params/webchat.js';

/**
 * Whether a visitor has a live web-chat session, for the web chat's sender: its own module (no session
 * schema), so the resolver's inline send adds little to its bundle.
 */
export function liveSessions(db: DynamoDb) {
  return {
    /**
     * Whether a session of the identity is live at `now`: a link of it not yet at its `ttl` (an ended
     * session's links are deleted; an expired one's wait for the table's TTL). One query.
     */
    async hasLiveSession(identity: Identity, now: Date): Promise<boolean> {
      const out = await queryItems(db, queryLiveSessionLinksInput(db.table, identityToken(identity)));
      const nowSeconds = now.getTime() / 1000;
      return (out.Items ?? []).some((link) => Number(link.ttl) > nowSeconds);
    },
  };
}
