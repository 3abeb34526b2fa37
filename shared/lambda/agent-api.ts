import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { createAgentApp } from '#shared/api/app.js';
import { createCsatPage } from '#shared/api/csat-page.js';
import { healthCheck } from '#shared/api/health.js';
import type { AgentEnv } from '#shared/api/router.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import { s3ExportStore } from '#shared/aws/s3-exports.js';
import { s3UploadStore } from '#shared/aws/s3-uploads.js';
import { getSecretString } from '#shared/aws/secrets-lite.js';
import { sqsSendMessage } from '#shared/aws/sqs-lite.js';
import { allowLoopbackWebhooks, type Config, requireSettings } from '#shared/config/config.js';
import { loadRoutingPolicy, policyInForce, policyQueueNames } from '#shared/config/routing-policy-file.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import type { ClockEvent } from '#shared/domain/clock-ports.js';
import { once } from '#shared/domain/on-first-use.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import { systemClock } from '#shared/domain/ports.js';
import { customerFiles } from '#shared/domain/uploads.js';
import { readConsoleDir } from '#shared/http/console-files.js';
import { SqsDeliveryQueue } from '#shared/queue/sqs-delivery-queue.js';
import { adminPorts, dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { newWebhookSecret, timeOrderedId } from '#shared/store/ids.js';
import { agentAuthenticator, agentSecretKeys } from './agent-auth.js';
import { awsConversationClock, withAutomations } from './conversation-clock.js';
import { sqsReplies } from './replies.js';

/**
 * The agent API as the Lambda runs it: settings and secrets read once, DynamoDB behind the agent ports,
 * replies onto the outbound SQS queue, agents authenticated by Cognito or by `AGENT_TOKENS`; and the
 * public email-survey routes `GET` and `POST /csat/{token}`. It holds no provider credentials: the
 * timeline's file routes are served on AWS by the agent-media function (shared/lambda/agent-media.ts);
 * one that reaches this function all the same answers 503.
 */
export async function createLambdaAgentApp(): Promise<Hono<AgentEnv>> {
  const secrets = { uses: (base: Config) => ['CSAT_SIGNING_SECRET' as const, ...agentSecretKeys(base)] };
  const config = requireSettings(
    await loadConfigWithSecrets((id) => getSecretString(id), process.env, secrets),
    ['OUTBOUND_QUEUE_URL'],
  );
  const authenticate = agentAuthenticator(config);

  const exports = config.EXPORTS_BUCKET ? s3ExportStore(config.EXPORTS_BUCKET) : undefined;
  const uploads = config.UPLOADS_BUCKET ? s3UploadStore(config.UPLOADS_BUCKET) : undefined;
  const files = customerFiles(exports, uploads);
  const repos = dynamoRepositories(dynamoDbLite(), config.TABLE_NAME, { exports: files });
  const store = storePorts(repos);
  const conversationClock = awsConversationClock(config, repos);
  const track = (event: ClockEvent) => trackConversationClock(conversationClock, event);
  const replies = { ...sqsReplies(store, config.OUTBOUND_QUEUE_URL, config.WEBCHAT_BUSINESS_NAME), track };
  withAutomations(conversationClock, repos, replies);
  const app = createAgentApp({
    store,
    admin: adminPorts(repos),
    audit: repos.audit,
    clock: systemClock,
    replies,
    conversationClock,
    authenticate,
    phone: { defaultRegion: config.DEFAULT_REGION },
    metaAccounts: { messenger: config.META_PAGE_ID, instagram: config.META_INSTAGRAM_ACCOUNT_ID },
    ...(config.WEBHOOK_QUEUE_URL
      ? {
          webhooks: {
            store: repos.webhooks,
            queue: new SqsDeliveryQueue((input) => sqsSendMessage(input), config.WEBHOOK_QUEUE_URL),
            urls: { allowLoopbackHttp: allowLoopbackWebhooks(config, false) },
            newId: () => timeOrderedId('wh'),
            newSecret: newWebhookSecret,
          },
        }
      : {}),
    ...(exports ? { exports } : {}),
    ...(uploads ? { uploads, publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    exportInlineBytes: config.EXPORT_INLINE_BYTES,
    queueNames: policyQueueNames(config.ROUTING_POLICY_FILE),
    policy: policyInForce(config.ROUTING_POLICY_FILE),
    cursors: pageCursors(config.CSAT_SIGNING_SECRET?.[0]),
    health: healthCheck(repos.tableReachable, systemClock),
    live: { events: repos.liveEvents },
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
  // `GET` and `POST /csat/{token}`: an email survey's public link and its button, beside the agent API.
  if (config.CSAT_SIGNING_SECRET) {
    // The survey's words for its answer page: the policy is parsed on the first click, not at start.
    const words = once(() => loadRoutingPolicy(config.ROUTING_POLICY_FILE).csat?.words);
    app.route('/', createCsatPage({ store, clock: systemClock, secrets: config.CSAT_SIGNING_SECRET, words }));
  }
  return app;
}
