import { identityToken } from '../domain/identity.js';
import { sessionIdentities } from '../domain/webchat/envelopes.js';
import { type WebchatSession, WebchatSessionSchema } from '../domain/webchat/session.js';
import type { WebchatMessageClaim } from '../domain/webchat-ports.js';
import {
  type DynamoDb,
  deleteItem,
  getItem,
  putItem,
  putItemIf,
  updateItem,
  updateItemIf,
} from './dynamo-client.js';
import { Keys } from './keys.js';
import { liveSessions } from './live-sessions.js';
import { getInput } from './params/common.js';
import {
  claimWebchatMessageInput,
  countWebchatHitInput,
  deleteWebchatSessionLinkInput,
  ENDED_SESSION,
  endWebchatSessionInput,
  putWebchatSessionInput,
  putWebchatSessionLinkInput,
  renewWebchatSessionInput,
  renewWebchatSessionLinkInput,
  webchatMessageRefInput,
} from './params/webchat.js';

/** Web-chat sessions (by token hash) and rate counters, both removed by the table's TTL. */
export function webchatRepository(db: DynamoDb) {
  return {
    ...liveSessions(db),
    /** The links from its identities first: a session is never stored without the link its erasure follows. */
    async putSession(session: WebchatSession): Promise<WebchatSession | undefined> {
      const { customer, alsoKnownAs } = sessionIdentities(session);
      for (const identity of [customer, ...alsoKnownAs]) {
        await putItem(db, putWebchatSessionLinkInput(db.table, identityToken(identity), session));
      }
      if (await putItemIf(db, putWebchatSessionInput(db.table, session))) return session;
      const kept = await getItem(db, getInput(db.table, Keys.webchatSession(session.tokenHash), true));
      if (kept.Item?.entity === ENDED_SESSION) return undefined;
      return WebchatSessionSchema.parse(kept.Item);
    },
    /** A session, read eventually consistent: it was written on an earlier request. */
    async getSession(tokenHash: string): Promise<WebchatSession | undefined> {
      const out = await getItem(db, getInput(db.table, Keys.webchatSession(tokenHash)));
      const parsed = WebchatSessionSchema.safeParse(out.Item);
      return parsed.success ? parsed.data : undefined;
    },
    /** Its links first (erasure follows them to the session), each only while it is there; then the session. */
    async renewSession(session: WebchatSession, expiresAt: string): Promise<boolean> {
      const { customer, alsoKnownAs } = sessionIdentities(session);
      for (const identity of [customer, ...alsoKnownAs]) {
        const link = renewWebchatSessionLinkInput(
          db.table,
          identityToken(identity),
          session.tokenHash,
          expiresAt,
        );
        if (!(await updateItemIf(db, link))) return false;
      }
      return updateItemIf(db, renewWebchatSessionInput(db.table, session.tokenHash, expiresAt));
    },
    /** Its tombstone in its place first (the token stops working), then its links. */
    async endSession(session: WebchatSession, endedAt: string): Promise<void> {
      const ttl = Math.ceil(Date.parse(session.expiresAt) / 1000);
      await putItem(db, endWebchatSessionInput(db.table, session.tokenHash, ttl, endedAt));
      const { customer, alsoKnownAs } = sessionIdentities(session);
      for (const identity of [customer, ...alsoKnownAs]) {
        await deleteItem(
          db,
          deleteWebchatSessionLinkInput(db.table, identityToken(identity), session.tokenHash),
        );
      }
    },
    /** Counts one hit on a fixed-window counter; the count so far, this hit included. */
    async countHit(key: string, expiresAtSeconds: number): Promise<number> {
      const out = await updateItem(db, countWebchatHitInput(db.table, key, expiresAtSeconds));
      return Number(out.Attributes?.hits ?? 1);
    },
    /** Claims a visitor's message for its first send; the claim kept, this one if it is the first. */
    async claimMessage(
      providerMessageId: string,
      claim: WebchatMessageClaim,
      expiresAtSeconds: number,
    ): Promise<WebchatMessageClaim> {
      const input = claimWebchatMessageInput(db.table, providerMessageId, claim, expiresAtSeconds);
      const kept = (await updateItem(db, input)).Attributes;
      return { at: String(kept?.at ?? claim.at), textHash: String(kept?.textHash ?? claim.textHash) };
    },
    /** Whether the resolver has met a visitor's message: its reference, read eventually consistent. */
    async visitorMessageStored(providerMessageId: string): Promise<boolean> {
      const out = await getItem(db, webchatMessageRefInput(db.table, providerMessageId));
      return out.Item !== undefined;
    },
  };
}
