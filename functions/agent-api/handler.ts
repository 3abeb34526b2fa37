import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { handle } from 'hono/aws-lambda';
import type { CountryCode } from 'libphonenumber-js';
import { parseAgentTokens } from '#shared/config/config.js';
import { loadConfigWithSecrets } from '#shared/config/secrets.js';
import { DynamoStore } from '#shared/store/dynamo-store.js';
import { createAgentApp } from './app.js';

const config = await loadConfigWithSecrets();
// Until the Cognito authorizer lands, agents authenticate with the AGENT_TOKENS held in the secret.
const tokens = parseAgentTokens(config.AGENT_TOKENS);

const app = createAgentApp({
  store: new DynamoStore(new DynamoDBClient({}), config.TABLE_NAME),
  authenticate: async (token) => tokens.get(token),
  phone: { defaultRegion: config.DEFAULT_REGION as CountryCode },
});

export const handler = handle(app);
