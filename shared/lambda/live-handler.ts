import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { connectLive } from '#shared/app/connect-live.js';
import { disconnectLive } from '#shared/app/disconnect-live.js';
import { fanOutChanges } from '#shared/app/fan-out-changes.js';
import { handleLiveFrame } from '#shared/app/handle-live-frame.js';
import { publishLiveChanges } from '#shared/app/publish-live-changes.js';
import { refuseRemovedAgents, removalLook } from '#shared/app/refuse-removed-agents.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import { liveConnectionsApi } from '#shared/aws/live-connections-api.js';
import { getSecretString } from '#shared/aws/secrets-lite.js';
import { requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import type { ChangeFeedConsumer } from '#shared/domain/change-feed.js';
import { seqClock } from '#shared/domain/live/seq.js';
import { systemClock } from '#shared/domain/ports.js';
import { ForbiddenError } from '#shared/errors.js';
import { log } from '#shared/log.js';
import { createChangeFeedHandler } from '#shared/queue/change-feed-consumer.js';
import type { DocumentStore } from '#shared/store/dynamo-client.js';
import { dynamoRepositories, visitorReads } from '#shared/store/dynamo-repositories.js';
import { agentAuthenticator, agentSecretKeys } from './agent-auth.js';
import { visitorFanOut, visitorTypingPoster } from './webchat-live.js';

/** The parts of an API Gateway WebSocket event ($connect, $disconnect, $default) the live socket reads. */
const SocketEventSchema = z.object({
  requestContext: z.object({ routeKey: z.string(), connectionId: z.string().min(1) }),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
});

/** What a WebSocket route answers API Gateway (on $connect, a non-2xx refuses the upgrade). */
export interface SocketAnswer {
  statusCode: number;
}

async function build(doc: DocumentStore) {
  const secrets = { uses: agentSecretKeys };
  const config = requireSettings(
    await loadConfigWithSecrets((id) => getSecretString(id), process.env, secrets),
    ['LIVE_CALLBACK_URL'],
  );
  const repos = dynamoRepositories(doc, config.TABLE_NAME);
  const deps = {
    connections: repos.liveConnections,
    leases: repos.consoleLeases,
    // The presence each agent chose, for the hello and a connect's announcement (an Away agent stays away).
    presences: repos.agentPresences,
    sender: liveConnectionsApi(config.LIVE_CALLBACK_URL),
    clock: systemClock,
    // The same table client for the visitors' connections as for the agents' sockets.
    visitorTyping: visitorTypingPoster(config, visitorReads(repos), doc),
  };
  return { config, repos, deps, doc };
}

/**
 * The live socket function: `$connect` checks the agent's Cognito access token in `?token=` (401
 * refuses the upgrade) and keeps the connection; `$disconnect` forgets it; `$default` takes client
 * frames (viewing, left, typing, ping, hello) and answers on the socket.
 */
export async function createLiveSocketHandler(
  doc: DocumentStore = dynamoDbLite(),
): Promise<(event: unknown) => Promise<SocketAnswer>> {
  const { config, repos, deps } = await build(doc);
  // An agent an admin removed opens no socket (as the agent API refuses them): 401, as any refusal.
  // Looked at on every connect (one GetItem), not trusted for a minute: the removal closes the sockets
  // open then (the stream function), so one opened just after on a container that looked before is refused.
  const authenticate = refuseRemovedAgents(agentAuthenticator(config), removalLook(repos.agents));
  return async (input) => {
    const event = SocketEventSchema.safeParse(input);
    if (!event.success) return { statusCode: 400 };
    const { routeKey, connectionId } = event.data.requestContext;
    if (routeKey === '$connect') {
      const token = event.data.queryStringParameters?.token;
      const caller =
        token && token.length <= 4096 ? await authenticate(token).catch(() => undefined) : undefined;
      if (!caller) return { statusCode: 401 };
      const { agentId, expiresAt } = caller;
      // Removed as it connected (its lease write refused): refused, as one removed before.
      const socket = { connectionId, agentId, expiresAt };
      // No hello here: the console asks for it with a frame once the socket is open.
      const refused = await connectLive(deps, socket, { greet: false }).then(
        () => false,
        (error: unknown) => (error instanceof ForbiddenError ? true : Promise.reject(error)),
      );
      return { statusCode: refused ? 401 : 200 };
    }
    if (routeKey === '$disconnect') {
      await disconnectLive(deps, connectionId);
      return { statusCode: 200 };
    }
    const text = event.data.isBase64Encoded ? '' : (event.data.body ?? '');
    const outcome = await handleLiveFrame(deps, connectionId, text);
    if (outcome.close === 1008) await deps.sender.close?.(connectionId, 'agent_removed');
    else if (outcome.reply) await deps.sender.send(connectionId, outcome.reply);
    return { statusCode: 200 };
  };
}

/**
 * The live stream function: the table's second stream reader. Every fan-out of the change feed to
 * sockets runs here (agents' live updates; web-chat visitors join `fanOuts`), as a shard takes two readers.
 */
export async function createLiveStreamHandler(
  fanOuts: readonly ChangeFeedConsumer[] = [],
  table: DocumentStore = dynamoDbLite(),
): Promise<(event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>> {
  const { config, repos, deps, doc } = await build(table);
  const live = publishLiveChanges({ ...deps, events: repos.liveEvents, nextSeq: seqClock(Date.now), log });
  return createChangeFeedHandler(
    fanOutChanges([live, visitorFanOut(config, visitorReads(repos), doc), ...fanOuts]),
  );
}
