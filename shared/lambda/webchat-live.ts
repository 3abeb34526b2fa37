import { connectVisitor } from '#shared/app/connect-visitor.js';
import { fanOutToVisitors } from '#shared/app/fan-out-to-visitors.js';
import { tellVisitorsTyping, type VisitorTypingDeps } from '#shared/app/tell-visitors-typing.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import { websocketPush } from '#shared/aws/websocket-push.js';
import { loadConfig } from '#shared/config/config.js';
import type { ChangeFeedConsumer } from '#shared/domain/change-feed.js';
import { systemClock } from '#shared/domain/ports.js';
import { UnauthorizedError } from '#shared/errors.js';
import { log } from '#shared/log.js';
import { dynamoRepositories, webchatPorts } from '#shared/store/dynamo-repositories.js';
import { webchatConnections } from '#shared/store/webchat-connections.js';

/** A WebSocket API `$connect` or `$disconnect` event, the parts read here. */
interface WebsocketEvent {
  requestContext: { eventType?: string; connectionId?: string };
  queryStringParameters?: Record<string, string | undefined> | null;
}

/**
 * The visitors' WebSocket API: `$connect` checks the session (`?session=`) and records what the
 * connection follows (401 refuses the upgrade); `$disconnect` removes it. Frames reach visitors
 * through `visitorFanOut`, which the change-feed consumer calls.
 */
export async function webchatLiveHandler() {
  // Only the table: no queue, no secret (a session is checked by its token's hash).
  const { TABLE_NAME: table } = loadConfig(process.env);
  const db = { doc: dynamoDbLite(), table };
  const deps = { store: webchatPorts(dynamoRepositories(db.doc, table)), clock: systemClock };
  const connections = webchatConnections(db, () => deps.clock.now());
  return async (event: WebsocketEvent): Promise<{ statusCode: number }> => {
    const connectionId = event.requestContext.connectionId ?? '';
    if (event.requestContext.eventType === 'DISCONNECT') {
      await connections.disconnect(connectionId);
      return { statusCode: 200 };
    }
    try {
      const sessionToken = event.queryStringParameters?.session ?? '';
      await connectVisitor({ ...deps, connections }, { connectionId, sessionToken });
      return { statusCode: 200 };
    } catch (error) {
      if (error instanceof UnauthorizedError) return { statusCode: 401 };
      throw error;
    }
  };
}

/** The visitors' connections and the way to post to them, or undefined without WEBCHAT_LIVE_ENDPOINT. */
function visitorSockets(config: { TABLE_NAME: string; WEBCHAT_LIVE_ENDPOINT?: string | undefined }) {
  const endpoint = config.WEBCHAT_LIVE_ENDPOINT;
  if (!endpoint) return undefined;
  const db = { doc: dynamoDbLite(), table: config.TABLE_NAME };
  const connections = webchatConnections(db, () => new Date());
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return { connections, push: { ...websocketPush(endpoint, region), drop: connections.disconnect } };
}

/**
 * The visitors' fan-out for the agents' live stream function (the table's stream has no reader to
 * spare): call it with each batch of change records. Needs WEBCHAT_LIVE_ENDPOINT, the visitors' API's
 * management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`).
 */
export function visitorFanOut(config: {
  TABLE_NAME: string;
  WEBCHAT_LIVE_ENDPOINT?: string | undefined;
}): ChangeFeedConsumer {
  const sockets = visitorSockets(config);
  if (!sockets) return async () => ({});
  // Best effort: a visitor who misses a frame reads it back with GET /webchat/messages, so a failed push
  // must not hold back the agents' events in the same batch.
  return async (records) => {
    try {
      await fanOutToVisitors({ ...sockets, aiAnswers: true }, records);
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
  getConversation: VisitorTypingDeps['getConversation'],
): ((conversationId: string) => Promise<unknown>) | undefined {
  const sockets = visitorSockets(config);
  if (!sockets) return undefined;
  return (conversationId) =>
    tellVisitorsTyping({ ...sockets, getConversation }, conversationId).catch((error: Error) =>
      log('warn', 'web-chat visitor typing failed', { error: error.message }),
    );
}
