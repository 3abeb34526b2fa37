import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { connectVisitor } from '#shared/app/connect-visitor.js';
import { fanOutToVisitors } from '#shared/app/fan-out-to-visitors.js';
import { websocketPush } from '#shared/aws/websocket-push.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { UnauthorizedError } from '#shared/errors.js';
import { documentClient } from '#shared/store/dynamo-client.js';
import { webchatConnections } from '#shared/store/webchat-connections.js';
import { lambdaWebchatDeps } from './webchat.js';

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
  const deps = await lambdaWebchatDeps();
  const db = { doc: documentClient(new DynamoDBClient({})), table: deps.config.TABLE_NAME };
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

/**
 * The visitors' fan-out for the agents' live stream function (the table's stream has no reader to
 * spare): call it with each batch of change records. Needs WEBCHAT_LIVE_ENDPOINT, the visitors' API's
 * management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`).
 */
export function visitorFanOut(config: { TABLE_NAME: string; WEBCHAT_LIVE_ENDPOINT?: string | undefined }) {
  const endpoint = config.WEBCHAT_LIVE_ENDPOINT;
  if (!endpoint) return async (_records: readonly ChangeRecord[]) => {};
  const db = { doc: documentClient(new DynamoDBClient({})), table: config.TABLE_NAME };
  const connections = webchatConnections(db, () => new Date());
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const push = { ...websocketPush(endpoint, region), drop: connections.disconnect };
  return (records: readonly ChangeRecord[]) =>
    fanOutToVisitors({ connections, push, aiAnswers: true }, records);
}
