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
import { ForbiddenError, UnavailableError } from '../errors.js';
import { logger } from '../log.js';

/** Resolves a bearer token to an agent id; undefined when the token is not valid (401). */
export type Authenticate = (token: string) => Promise<string | undefined>;

/** Local agents: `AGENT_TOKENS` pairs. */
export function tokenAuthenticator(tokens: ReadonlyMap<string, string>): Authenticate {
  return async (token) => tokens.get(token);
}

/** Where Cognito access tokens come from and who may use the agent API. */
export interface CognitoAuthOptions {
  userPoolId: string;
  clientId: string;
  /** The user-pool group an agent must be in; a valid token without it is 403. */
  group: string;
  /** Tests and offline use: the pool's keys, so nothing is fetched. */
  jwks?: Jwks;
}

/**
 * Agents on AWS: Cognito user-pool access tokens, verified for signature, issuer, audience (the app
 * client), token use and expiry by aws-jwt-verify. A valid token of a user outside the agents' group
 * is 403. Tokens are never logged: only the reason a verification failed.
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
      return typeof payload.username === 'string' ? payload.username : payload.sub;
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
