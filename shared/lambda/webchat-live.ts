import { connectVisitor } from '#shared/app/connect-visitor.js';
import type { EndSockets } from '#shared/app/end-webchat-session.js';
import { fanOutToVisitors } from '#shared/app/fan-out-to-visitors.js';
import { markWebchatRead } from '#shared/app/mark-webchat-read.js';
import { tellVisitorsTyping } from '#shared/app/tell-visitors-typing.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import {
  type ConnectionPost,
  connectionDelete,
  connectionPost,
  executeApiRegion,
} from '#shared/aws/live-connections-api.js';
import type { AwsCallOptions } from '#shared/aws/signed-request.js';
import { websocketPush } from '#shared/aws/websocket-push.js';
import { loadConfig, requireSettings } from '#shared/config/config.js';
import type { ChangeFeedConsumer } from '#shared/domain/change-feed.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';
import { systemClock } from '#shared/domain/ports.js';
import { durationMs } from '#shared/domain/sla/duration-ms.js';
import type { VisitorReads } from '#shared/domain/webchat/live-ports.js';
import { ReadRequestSchema } from '#shared/domain/webchat/requests.js';
import { REPLACED_FRAME } from '#shared/domain/webchat/session-sockets.js';
import { sessionEnded } from '#shared/domain/webchat/visitor.js';
import type { WebchatDeps } from '#shared/domain/webchat-ports.js';
import { RateLimitedError, UnauthorizedError } from '#shared/errors.js';
import { log } from '#shared/log.js';
import type { DocumentStore } from '#shared/store/dynamo-client.js';
import { dynamoRepositories, webchatPorts } from '#shared/store/dynamo-repositories.js';
import { webchatConnections } from '#shared/store/webchat-connections.js';
import { sqsEnvelopeQueue } from './envelope-queue.js';

/** A WebSocket API `$connect`, `$disconnect` or `$default` event, the parts read here. */
interface WebsocketEvent {
  requestContext: { eventType?: string; connectionId?: string };
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The largest visitor frame read, as the local runtime's socket (`maxPayload`): a read receipt fits. */
const MAX_VISITOR_FRAME_BYTES = 8192;

/** What a visitor's frame needs: the read use case's ports, the connections, and a post to the socket. */
type FrameDeps = Pick<WebchatDeps, 'store' | 'queue' | 'clock'> & {
  connections: { sessionOf(connectionId: string): Promise<string | undefined> };
  post: ConnectionPost;
  /** Closes a connection (the management API's DELETE). */
  close(connectionId: string): Promise<void>;
};

/** Why a frame was refused, for the log line: never the frame itself, which is the visitor's text. */
function refuse(connectionId: string, reason: string): { statusCode: number } {
  log('warn', 'web-chat visitor frame refused', { connectionId, reason });
  return { statusCode: 400 };
}

/**
 * A visitor's frame (`$default`): `{type:"ping"}` answers `{type:"pong"}` on the socket while its
 * session lasts, and closes the socket once it has ended (expired, its identity token's exp passed,
 * ended or erased, or the connection's own item erased: the panel's reads then answer 401 and it starts anew), `{type:"read",
 * messageIds}` is `POST /webchat/read` as the session the socket opened with. Anything else (too
 * large, not JSON, another type, a bad read, a session gone or over its rate) is refused with a log
 * line and changes nothing; the socket stays open.
 */
export async function onVisitorFrame(
  deps: FrameDeps,
  connectionId: string,
  event: WebsocketEvent,
): Promise<{ statusCode: number }> {
  const text = event.isBase64Encoded ? undefined : (event.body ?? '');
  if (text === undefined) return refuse(connectionId, 'binary frame');
  if (Buffer.byteLength(text) > MAX_VISITOR_FRAME_BYTES) return refuse(connectionId, 'frame too large');
  let frame: { type?: unknown; messageIds?: unknown };
  try {
    frame = JSON.parse(text) ?? {};
  } catch {
    return refuse(connectionId, 'not JSON');
  }
  if (frame.type === 'ping') {
    const sessionHash = await deps.connections.sessionOf(connectionId);
    // A connection with no session kept is one an erasure forgot (its items go with the visitor's):
    // its session is gone too. Before, such a socket was answered pong and stayed open.
    if (!sessionHash || (await sessionEnded(deps.store, sessionHash, deps.clock.now()))) {
      log('info', 'web-chat socket of an ended session closed', { connectionId });
      await deps
        .close(connectionId)
        .catch((error: Error) =>
          log('warn', 'web-chat socket of an ended session not closed', { connectionId, error: error.name }),
        );
      return { statusCode: 200 };
    }
    // A pong that cannot be posted is the visitor's heartbeat missing one: it reconnects.
    const sent = await deps.post(connectionId, { type: 'pong' }).catch((error: Error) => {
      log('warn', 'web-chat pong failed', { connectionId, error: error.name });
      return 'failed' as const;
    });
    return { statusCode: sent === 'sent' ? 200 : 500 };
  }
  if (frame.type !== 'read') return refuse(connectionId, 'unknown frame type');
  const read = ReadRequestSchema.safeParse({ messageIds: frame.messageIds });
  if (!read.success) return refuse(connectionId, 'bad read frame');
  const sessionHash = await deps.connections.sessionOf(connectionId);
  if (!sessionHash) return refuse(connectionId, 'no session on the connection');
  try {
    await markWebchatRead(deps, { sessionHash, messageIds: read.data.messageIds });
    return { statusCode: 200 };
  } catch (error) {
    if (error instanceof UnauthorizedError || error instanceof RateLimitedError)
      return refuse(connectionId, error.message);
    throw error;
  }
}

/**
 * Closes a visitor's socket for a newer one of its session: REPLACED_FRAME (so its panel waits for its
 * tab to be shown before it reopens), then DELETE on the management API. Best effort: a socket already
 * gone is fine, and a failure is a log line, not a refused connect.
 */
function retireSocket(post: ConnectionPost, close: (connectionId: string) => Promise<void>) {
  return async (connectionId: string) => {
    try {
      await post(connectionId, REPLACED_FRAME);
      await close(connectionId);
    } catch (error) {
      log('warn', 'web-chat socket over the cap not closed', { connectionId, error: (error as Error).name });
    }
  };
}

/** What a test swaps: the table client, the inbound queue and the management API's endpoint. */
export interface WebchatLiveOptions {
  doc?: DocumentStore;
  queue?: EnvelopeQueue;
  management?: AwsCallOptions;
}

/**
 * The visitors' WebSocket API: `$connect` checks the session (`?session=`) and records what the
 * connection follows and its session's hash (401 refuses the upgrade); `$disconnect` removes it;
 * `$default` takes the visitor's `ping` and `read` frames. Frames reach visitors through
 * `visitorFanOut`, which the change-feed consumer calls.
 */
export async function webchatLiveHandler(options: WebchatLiveOptions = {}) {
  // The table, the inbound queue (read receipts) and the socket's management endpoint: no secret (a
  // session is checked by its token's hash).
  const config = requireSettings(loadConfig(process.env), ['INBOUND_QUEUE_URL', 'WEBCHAT_LIVE_ENDPOINT']);
  const table = config.TABLE_NAME;
  const db = { doc: options.doc ?? dynamoDbLite(), table };
  const deps = {
    store: webchatPorts(dynamoRepositories(db.doc, table)),
    clock: systemClock,
    queue: options.queue ?? sqsEnvelopeQueue(config.INBOUND_QUEUE_URL),
    sessionTtlMs: durationMs(config.WEBCHAT_SESSION_TTL),
  };
  const connections = webchatConnections(db, () => deps.clock.now());
  const endpoint = config.WEBCHAT_LIVE_ENDPOINT;
  const region = executeApiRegion(endpoint) ?? process.env.AWS_REGION ?? 'us-east-1';
  const post = connectionPost(endpoint, region, options.management);
  const close = connectionDelete(endpoint, region, options.management);
  const retire = retireSocket(post, close);
  return async (event: WebsocketEvent): Promise<{ statusCode: number }> => {
    const connectionId = event.requestContext.connectionId ?? '';
    if (event.requestContext.eventType === 'DISCONNECT') {
      await connections.disconnect(connectionId);
      return { statusCode: 200 };
    }
    if (event.requestContext.eventType === 'MESSAGE')
      return onVisitorFrame({ ...deps, connections, post, close }, connectionId, event);
    try {
      const sessionToken = event.queryStringParameters?.session ?? '';
      await connectVisitor({ ...deps, connections, retire }, { connectionId, sessionToken });
      return { statusCode: 200 };
    } catch (error) {
      if (error instanceof UnauthorizedError) return { statusCode: 401 };
      if (error instanceof RateLimitedError) return { statusCode: 429 };
      throw error;
    }
  };
}

/** The visitors' connections and the way to post to them, or undefined without WEBCHAT_LIVE_ENDPOINT. */
function visitorSockets(
  config: { TABLE_NAME: string; WEBCHAT_LIVE_ENDPOINT?: string | undefined },
  doc: DocumentStore,
) {
  const endpoint = config.WEBCHAT_LIVE_ENDPOINT;
  if (!endpoint) return undefined;
  const db = { doc, table: config.TABLE_NAME };
  const connections = webchatConnections(db, () => new Date());
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return { connections, push: { ...websocketPush(endpoint, region), drop: connections.forget } };
}

/**
 * Closes the live sockets of a session that just ended (`DELETE /webchat/sessions`), for the `webchat`
 * function: its list of sockets (one GetItem), then `DELETE @connections/<id>` for each (API Gateway
 * then runs `$disconnect`, which forgets the connection); one already gone (410) is closed. Best
 * effort: the session has ended either way, so a failure is a log line, and that socket closes at its
 * next ping. Undefined without WEBCHAT_LIVE_ENDPOINT.
 */
export function sessionSocketsCloser(
  config: { TABLE_NAME: string; WEBCHAT_LIVE_ENDPOINT?: string | undefined },
  doc: DocumentStore,
  management: AwsCallOptions = {},
): EndSockets | undefined {
  const endpoint = config.WEBCHAT_LIVE_ENDPOINT;
  if (!endpoint) return undefined;
  const connections = webchatConnections({ doc, table: config.TABLE_NAME }, () => new Date());
  const region = executeApiRegion(endpoint) ?? process.env.AWS_REGION ?? 'us-east-1';
  const close = connectionDelete(endpoint, region, management);
  const failed = (error: unknown) =>
    log('warn', 'web-chat sockets of an ended session not closed', { error: (error as Error).name });
  return async (tokenHash) => {
    const ids = await connections.ofSession(tokenHash).catch((error: unknown) => {
      failed(error);
      return [];
    });
    await Promise.all(ids.map((id) => close(id).catch(failed)));
  };
}

/**
 * The visitors' fan-out for the agents' live stream function (the table's stream has no reader to
 * spare): call it with each batch of change records. Needs WEBCHAT_LIVE_ENDPOINT, the visitors' API's
 * management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`).
 */
export function visitorFanOut(
  config: { TABLE_NAME: string; WEBCHAT_LIVE_ENDPOINT?: string | undefined },
  reads: Pick<VisitorReads, 'getTimelineItem'>,
  doc: DocumentStore,
): ChangeFeedConsumer {
  const sockets = visitorSockets(config, doc);
  if (!sockets) return async () => ({});
  // Best effort: a visitor who misses a frame reads it back with GET /webchat/messages, so a failed push
  // must not hold back the agents' events in the same batch.
  return async (records) => {
    try {
      await fanOutToVisitors(
        { ...sockets, aiAnswers: true, getTimelineItem: reads.getTimelineItem },
        records,
      );
    } catch (error) {
      log('warn', 'web-chat visitor fan-out failed', { error: (error as Error).message });
    }
    return {};
  };
}

/**
 * Agents' typing to the web-chat visitors of the conversation, for the agents' socket function's
 * `$default` (best effort: typing is a hint); undefined without WEBCHAT_LIVE_ENDPOINT.
 */
export function visitorTypingPoster(
  config: { TABLE_NAME: string; WEBCHAT_LIVE_ENDPOINT?: string | undefined },
  reads: Pick<VisitorReads, 'getConversation' | 'lastInbound' | 'mergedCustomers'>,
  doc: DocumentStore,
): ((conversationId: string) => Promise<unknown>) | undefined {
  const sockets = visitorSockets(config, doc);
  if (!sockets) return undefined;
  return (conversationId) =>
    tellVisitorsTyping({ ...sockets, ...reads }, conversationId).catch((error: Error) =>
      log('warn', 'web-chat visitor typing failed', { error: error.message }),
    );
}
