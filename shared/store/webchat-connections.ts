import type { VisitorConnections } from '../domain/webchat/live-ports.js';
import { slotConnection, slotsOverCap, socketSlot } from '../domain/webchat/session-sockets.js';
import { RateLimitedError } from '../errors.js';
import { drainNotes } from './drain-notes.js';
import {
  type DynamoDb,
  deleteItem,
  getItem,
  putItem,
  queryItems,
  updateItem,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { Keys } from './keys.js';
import { deleteInput, getInput } from './params/common.js';
import { holdSocketInput, releaseSocketsInput } from './params/session-sockets.js';

/** How long a connection's items live at most: API Gateway closes a WebSocket after 2 hours. */
const CONNECTION_TTL_SECONDS = 3 * 3600;

type Key = { pk: string; sk: string };

/**
 * Puts a socket in its session's list (`WEBCHAT_SOCKETS#`, one item per session) and answers the
 * connections over SESSION_SOCKETS_MAX, oldest first, taken out of the list: one write, a second
 * when some are over. A list a flood of connects has filled is a RateLimitedError (the connect is refused).
 */
async function holdSocket(db: DynamoDb, sessionHash: string, slot: string, ttl: number): Promise<string[]> {
  const held = await updateItemReturningIf(db, holdSocketInput(db.table, sessionHash, slot, ttl));
  if (!held) throw new RateLimitedError('too many live sockets for this session', 60);
  const over = slotsOverCap((held.sockets as Set<string> | undefined) ?? []);
  if (over.length > 0) await updateItemIf(db, releaseSocketsInput(db.table, sessionHash, over));
  return over.map(slotConnection);
}

/**
 * Takes a connection's slot out of its session's list (one conditional write; a list gone stays gone),
 * then deletes the connection's item and every follower item it lists.
 */
async function forget(db: DynamoDb, key: Key, item: Record<string, unknown> | undefined): Promise<void> {
  const { session, slot } = item ?? {};
  if (typeof session === 'string' && typeof slot === 'string') {
    await updateItemIf(db, releaseSocketsInput(db.table, session, [slot]));
  }
  const followed = (item?.followed as Set<string> | undefined) ?? new Set<string>();
  for (const text of followed) await deleteItem(db, deleteInput(db.table, JSON.parse(text) as Key));
  await deleteItem(db, deleteInput(db.table, key));
}

/**
 * The visitors' WebSocket connections on AWS, in the table: one item per connection listing the keys
 * it wrote, the session's hash and its slot in the session's list of sockets, one per customer it
 * follows and one per identity it is, each with a `ttl` past API Gateway's 2-hour limit. `$connect`
 * puts them (and answers the session's sockets over the cap); `$disconnect`, and `forget` (a 410 on
 * push), remove them and the slot. Before, `forget` left the slot, and a later connect over the cap
 * closed the dead connection again in place of a live one.
 */
export function webchatConnections(db: DynamoDb, now: () => Date) {
  const ttl = () => Math.floor(now().getTime() / 1000) + CONNECTION_TTL_SECONDS;
  const putFollower = async (connectionId: string, key: Key) => {
    await putItem(db, { TableName: db.table, Item: { ...key, connectionId, ttl: ttl() } });
    await updateItem(db, {
      TableName: db.table,
      Key: Keys.webchatConnection(connectionId),
      UpdateExpression: 'ADD followed :key SET #ttl = :ttl',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':key': new Set([JSON.stringify(key)]), ':ttl': ttl() },
    });
  };
  const connectionsOf = async (pk: string) => {
    const out = await queryItems(db, {
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conn)',
      ExpressionAttributeValues: { ':pk': pk, ':conn': 'CONN#' },
      Limit: 100,
    });
    return (out.Items ?? []).map((item) => String(item.connectionId));
  };
  const connections: VisitorConnections & {
    connect(
      connectionId: string,
      customers: readonly string[],
      identities: readonly string[],
      sessionHash?: string,
    ): Promise<string[]>;
    disconnect(connectionId: string): Promise<void>;
    forget(connectionId: string): Promise<void>;
    sessionOf(connectionId: string): Promise<string | undefined>;
    ofSession(sessionHash: string): Promise<string[]>;
  } = {
    following: (customerId) => connectionsOf(Keys.webchatFollower(customerId, '').pk),
    ofIdentity: (token) => connectionsOf(Keys.webchatIdentityFollower(token, '').pk),
    follow: (connectionId, customerId) =>
      putFollower(connectionId, Keys.webchatFollower(customerId, connectionId)),
    async connect(connectionId, customers, identities, sessionHash) {
      let over: string[] = [];
      // The session's hash, so a frame on the socket (`$default` has no query string) acts as the
      // visitor, and its slot in the session's list, so `$disconnect` takes it out.
      if (sessionHash) {
        const slot = socketSlot(now(), connectionId);
        await updateItem(db, {
          TableName: db.table,
          Key: Keys.webchatConnection(connectionId),
          UpdateExpression: 'SET #session = :session, #slot = :slot, #ttl = :ttl',
          ExpressionAttributeNames: { '#session': 'session', '#slot': 'slot', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':session': sessionHash, ':slot': slot, ':ttl': ttl() },
        });
        over = await holdSocket(db, sessionHash, slot, ttl());
      }
      for (const customerId of customers) await connections.follow(connectionId, customerId);
      for (const token of identities) {
        await putFollower(connectionId, Keys.webchatIdentityFollower(token, connectionId));
      }
      return over;
    },
    async sessionOf(connectionId) {
      const out = await getItem(db, getInput(db.table, Keys.webchatConnection(connectionId), true));
      return typeof out.Item?.session === 'string' ? out.Item.session : undefined;
    },
    /** The connections its session's list holds (one GetItem): at most SESSION_SOCKETS_REFUSED_AT. */
    async ofSession(sessionHash) {
      const out = await getItem(db, getInput(db.table, Keys.webchatSessionSockets(sessionHash), true));
      return [...((out.Item?.sockets as Set<string> | undefined) ?? [])].map(slotConnection);
    },
    disconnect: (connectionId) => connections.forget(connectionId),
    async forget(connectionId) {
      const key = Keys.webchatConnection(connectionId);
      await forget(db, key, (await getItem(db, getInput(db.table, key, true))).Item);
    },
  };
  return connections;
}

/** Follower items an erasure reads per page (each deleted with its connection, so pages are not kept). */
const FOLLOWERS_PAGE = 100;

/**
 * For an erasure: the visitor connections listed under a follower partition (a customer's,
 * `WEBCHAT_LIVE#<id>`, or an identity's, `WEBCHAT_LIVE_ID#<kind>#<value>`) and, for each, its own item
 * and every follower item it wrote: they name the customer and the identity (a verified email) for
 * their 3-hour `ttl`, and while they are there a push finds the socket. `remove` deletes one key the
 * erasure's way (counting it, pausing when its share is spent). The socket closes at its next ping
 * (no session on the connection); its `$disconnect` then finds nothing to delete.
 */
export async function forgetConnectionsUnder(
  db: DynamoDb,
  pk: string,
  remove: (key: Key) => Promise<unknown>,
): Promise<void> {
  const followers = {
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conn)',
    ExpressionAttributeValues: { ':pk': pk, ':conn': 'CONN#' },
    Limit: FOLLOWERS_PAGE,
  };
  await drainNotes(
    db,
    followers,
    async (follower) => {
      const connection = Keys.webchatConnection(String(follower.connectionId));
      const item = (await getItem(db, getInput(db.table, connection, true))).Item;
      for (const text of (item?.followed as Set<string> | undefined) ?? []) {
        await remove(JSON.parse(text) as Key);
      }
      await remove(connection);
    },
    remove,
  );
}
