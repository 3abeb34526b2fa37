import type { Hono } from 'hono';
import { createMediaApp } from '#shared/api/app.js';
import type { AgentEnv } from '#shared/api/router.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import { getObjectBytes } from '#shared/aws/s3-lite.js';
import { getSecretString } from '#shared/aws/secrets-lite.js';
import { configuredMediaFetcher } from '#shared/channels/provider-media.js';
import { mailFiles } from '#shared/channels/ses/mail-files.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import { mediaPorts } from '#shared/store/dynamo-repositories.js';
import { agentAuthenticator, agentSecretKeys } from './agent-auth.js';

/**
 * The agent API's file routes as their own Lambda runs them: the one agent-facing function that reads
 * the provider secret (Twilio's and WhatsApp's credentials), beside a read-only look at the table and at
 * the inbound mail bucket (an email's files are read from the mail as received). Agents
 * sign in as on the agent API (Cognito, or AGENT_TOKENS). A bad provider key is not one it `uses`: it is
 * dropped with a warning (that provider's files answer 503) and the other providers' files still load.
 */
export async function createLambdaMediaApp(): Promise<Hono<AgentEnv>> {
  const config = await loadConfigWithSecrets((id) => getSecretString(id), process.env, {
    uses: agentSecretKeys,
  });
  const store = mediaPorts(dynamoDbLite(), config.TABLE_NAME);
  return createMediaApp({
    store,
    clock: systemClock,
    authenticate: agentAuthenticator(config),
    media: configuredMediaFetcher(config),
    // An email's files: its MIME from the inbound mail bucket (read access to its `inbound/` prefix only).
    mailFiles: mailFiles({
      fetchObject: (bucket, key) => getObjectBytes(bucket, key),
      rawPayload: store.customerItemRaw,
    }),
  });
}
