import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentEnv } from '#shared/api/router.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import { s3ExportStore } from '#shared/aws/s3-exports.js';
import { getSecretString } from '#shared/aws/secrets-lite.js';
import { allowLoopbackWebhooks, parseAgentTokens, requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import type { ClockEvent } from '#shared/domain/clock-ports.js';
import { systemClock } from '#shared/domain/ports.js';
import { cognitoAuthenticator, tokenAuthenticator } from '#shared/http/auth.js';
import { readConsoleDir } from '#shared/http/console-files.js';
import { SqsDeliveryQueue } from '#shared/queue/sqs-delivery-queue.js';
import { adminPorts, dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { newWebhookSecret, timeOrderedId } from '#shared/store/ids.js';
import { awsConversationClock, withAutomations } from './conversation-clock.js';
import { sqsReplies } from './replies.js';

/**
 * The agent API as the Lambda runs it: settings and secrets read once, DynamoDB behind the agent ports,
 * replies onto the outbound SQS queue, agents authenticated by Cognito or by `AGENT_TOKENS`.
 */
export async function createLambdaAgentApp(): Promise<OpenAPIHono<AgentEnv>> {
  const config = requireSettings(await loadConfigWithSecrets((id) => getSecretString(id)), [
    'OUTBOUND_QUEUE_URL',
  ]);
  // Cognito access tokens when the stack configured a user pool; AGENT_TOKENS from the secret otherwise.
  const authenticate =
    config.COGNITO_USER_POOL_ID && config.COGNITO_CLIENT_ID
      ? cognitoAuthenticator({
          userPoolId: config.COGNITO_USER_POOL_ID,
          clientId: config.COGNITO_CLIENT_ID,
          group: config.AGENT_GROUP,
          adminGroup: config.ADMIN_GROUP,
        })
      : tokenAuthenticator(parseAgentTokens(config.AGENT_TOKENS));

  const repos = dynamoRepositories(new DynamoDBClient({}), config.TABLE_NAME);
  const store = storePorts(repos);
  const conversationClock = awsConversationClock(config, repos);
  const track = (event: ClockEvent) => trackConversationClock(conversationClock, event);
  const replies = { ...sqsReplies(store, config.OUTBOUND_QUEUE_URL), track };
  withAutomations(conversationClock, repos, replies);
  return createAgentApp({
    store,
    admin: adminPorts(repos),
    audit: repos.audit,
    clock: systemClock,
    replies,
    conversationClock,
    authenticate,
    phone: { defaultRegion: config.DEFAULT_REGION },
    ...(config.WEBHOOK_QUEUE_URL
      ? {
          webhooks: {
            store: repos.webhooks,
            queue: new SqsDeliveryQueue(new SQSClient({}), config.WEBHOOK_QUEUE_URL),
            urls: { allowLoopbackHttp: allowLoopbackWebhooks(config, false) },
            newId: () => timeOrderedId('wh'),
            newSecret: newWebhookSecret,
          },
        }
      : {}),
    ...(config.EXPORTS_BUCKET ? { exports: s3ExportStore(config.EXPORTS_BUCKET) } : {}),
    exportInlineBytes: config.EXPORT_INLINE_BYTES,
    console: {
      // Built beside the bundle (stacks: the agent API's afterBundling), read on the first /console request.
      load: () => readConsoleDir(fileURLToPath(new URL('./console/', import.meta.url))),
      auth:
        config.COGNITO_USER_POOL_ID && config.COGNITO_CLIENT_ID
          ? {
              kind: 'cognito',
              region: config.COGNITO_USER_POOL_ID.split('_')[0] ?? '',
              userPoolId: config.COGNITO_USER_POOL_ID,
              clientId: config.COGNITO_CLIENT_ID,
            }
          : { kind: 'token' },
      liveUrl: config.CONSOLE_LIVE_URL,
    },
  });
}
