import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidGroupError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  KidNotFoundInJwksError,
  ParameterValidationError,
} from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { Caller } from '../domain/caller.js';
import { ForbiddenError, UnavailableError } from '../errors.js';
import { logger } from '../log.js';

/** Resolves a bearer token to the calling agent and their role; undefined when the token is not valid (401). */
export type Authenticate = (token: string) => Promise<Caller | undefined>;

/** Local agents: `AGENT_TOKENS` entries, token → agent. */
export function tokenAuthenticator(tokens: ReadonlyMap<string, Caller>): Authenticate {
  return async (token) => tokens.get(token);
}

/** Where Cognito access tokens come from and who may use the agent API. */
export interface CognitoAuthOptions {
  userPoolId: string;
  clientId: string;
  /** The user-pool group an agent must be in; a valid token without it is 403. */
  group: string;
  /**
   * The user-pool group whose members are admins. An admin must also be in `group`: that group alone
   * says who may use the API, this one only adds rights.
   */
  adminGroup: string;
  /** Tests and offline use: the pool's keys, so nothing is fetched. */
  jwks?: Jwks;
}

/**
 * Agents on AWS: Cognito user-pool access tokens, verified for signature, issuer, audience (the app
 * client), token use and expiry by aws-jwt-verify. A valid token of a user outside the agents' group
 * is 403; a member of the admins group (who must also be an agent) is an admin. Tokens are never logged: only the reason a verification failed.
 */
export function cognitoAuthenticator(options: CognitoAuthOptions): Authenticate {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    tokenUse: 'access',
    groups: options.group,
  });
  if (options.jwks) verifier.cacheJwks(options.jwks);
  return async (token) => {
    try {
      const payload = await verifier.verify(token);
      const groups = payload['cognito:groups'];
      return {
        agentId: typeof payload.username === 'string' ? payload.username : payload.sub,
        admin: Array.isArray(groups) && groups.includes(options.adminGroup),
        expiresAt: payload.exp * 1000,
      };
    } catch (error) {
      if (error instanceof CognitoJwtInvalidGroupError) {
        logger.warn('agent token refused', { reason: 'not in the agents group' });
        throw new ForbiddenError(`this account is not in the ${options.group} group`);
      }
      if (error instanceof FetchError) {
        throw new UnavailableError('could not fetch the user pool keys', { cause: error });
      }
      if (error instanceof JwtBaseError) {
        logger.warn('agent token refused', { reason: refusal(error) });
        return undefined;
      }
      throw error;
    }
  };
}

// aws-jwt-verify's errors do not set `name` (every one reads "Error"): the reason comes from the class.
const REFUSALS: [new (...args: never[]) => JwtBaseError, string][] = [
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not yet valid'],
  [JwtInvalidSignatureError, 'bad signature'],
  [JwtInvalidSignatureAlgorithmError, 'bad signature'],
  [KidNotFoundInJwksError, 'unknown signing key'],
  [JwtInvalidIssuerError, 'another issuer'],
  // What verify() throws for a token from a user pool it was not set up with.
  [ParameterValidationError, 'another issuer'],
  [CognitoJwtInvalidClientIdError, 'another app client'],
  [CognitoJwtInvalidTokenUseError, 'not an access token'],
  [JwtParseError, 'not a JWT'],
];

/** Why a token was refused, for the log line (never the token or its claims). */
function refusal(error: JwtBaseError): string {
  return REFUSALS.find(([type]) => error instanceof type)?.[1] ?? 'invalid';
}
