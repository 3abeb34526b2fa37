import { type Config, parseAgentTokens } from '#shared/config/config.js';
import type { SecretKey } from '#shared/config/secrets.js';
import { type Authenticate, cognitoAuthenticator, tokenAuthenticator } from '#shared/http/auth.js';

/**
 * Cognito access tokens when the stack configured a user pool; AGENT_TOKENS from the secret otherwise:
 * the sign-in check of every function agents call (the agent API, its file routes, the live socket).
 */
export function agentAuthenticator(config: Config): Authenticate {
  return config.COGNITO_USER_POOL_ID && config.COGNITO_CLIENT_ID
    ? cognitoAuthenticator({
        userPoolId: config.COGNITO_USER_POOL_ID,
        clientId: config.COGNITO_CLIENT_ID,
        group: config.AGENT_GROUP,
        adminGroup: config.ADMIN_GROUP,
      })
    : tokenAuthenticator(parseAgentTokens(config.AGENT_TOKENS));
}

/** AGENT_TOKENS, when agents are not signed in by Cognito: the only secret key the authenticator reads. */
export function agentSecretKeys(base: Config): readonly SecretKey[] {
  return base.COGNITO_USER_POOL_ID && base.COGNITO_CLIENT_ID ? [] : ['AGENT_TOKENS'];
}
