import { clientEphemeral, cognitoTimestamp, padHex, passwordClaim, sessionKey } from './srp.js';

/** The user pool the console signs in to, from `/console/config.json`. */
export interface CognitoPool {
  region: string;
  userPoolId: string;
  clientId: string;
}

/** A sign-in waiting for the TOTP code. */
interface TotpChallenge {
  session: string;
  username: string;
}

const MESSAGES: Record<string, string> = {
  NotAuthorizedException: 'Wrong user name or password.',
  UserNotFoundException: 'Wrong user name or password.',
  CodeMismatchException: 'That code is not right: try the current one.',
  ExpiredCodeException: 'That code has expired: try the current one.',
  PasswordResetRequiredException: 'Your password must be reset first.',
  TooManyRequestsException: 'Too many attempts: wait a minute.',
};

const LOCKED_OUT = 'Too many failed attempts: wait a few minutes (up to 15) before trying again.';

async function call<T>(pool: CognitoPool, action: string, body: unknown): Promise<T> {
  const response = await fetch(`https://cognito-idp.${pool.region}.amazonaws.com/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { __type?: unknown; message?: string };
  if (!response.ok) {
    const type =
      String(json.__type ?? '')
        .split('#')
        .pop() ?? '';
    // Cognito's lockout after five failures is a NotAuthorizedException too: only its message tells.
    const locked = type === 'NotAuthorizedException' && json.message === 'Password attempts exceeded';
    throw new Error(locked ? LOCKED_OUT : (MESSAGES[type] ?? json.message ?? 'Sign-in failed.'));
  }
  return json as T;
}

interface ChallengeAnswer {
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  AuthenticationResult?: { AccessToken: string };
}

function outcome(
  answer: ChallengeAnswer,
  username: string,
): { token: string } | { challenge: TotpChallenge } {
  if (answer.AuthenticationResult) return { token: answer.AuthenticationResult.AccessToken };
  if (answer.ChallengeName === 'SOFTWARE_TOKEN_MFA' && answer.Session)
    return { challenge: { session: answer.Session, username } };
  if (answer.ChallengeName === 'MFA_SETUP')
    throw new Error('Set up your authenticator app first (the pool requires TOTP), then sign in again.');
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED')
    throw new Error('Your administrator must set a permanent password for you first.');
  throw new Error(`Unexpected sign-in step ${answer.ChallengeName ?? ''}.`);
}

/** USER_SRP_AUTH, then the password verifier: an access token, or the TOTP challenge the pool requires. */
export async function startSignIn(
  pool: CognitoPool,
  username: string,
  password: string,
): Promise<{ token: string } | { challenge: TotpChallenge }> {
  const { a, A } = clientEphemeral();
  const init = await call<ChallengeAnswer>(pool, 'InitiateAuth', {
    AuthFlow: 'USER_SRP_AUTH',
    ClientId: pool.clientId,
    AuthParameters: { USERNAME: username, SRP_A: padHex(A) },
  });
  const p = init.ChallengeParameters ?? {};
  if (
    init.ChallengeName !== 'PASSWORD_VERIFIER' ||
    !p.SRP_B ||
    !p.SALT ||
    !p.SECRET_BLOCK ||
    !p.USER_ID_FOR_SRP
  )
    return outcome(init, username);
  const poolName = pool.userPoolId.split('_')[1] ?? '';
  const { key } = await sessionKey({
    a,
    A,
    B: BigInt(`0x${p.SRP_B}`),
    salt: p.SALT,
    poolName,
    userId: p.USER_ID_FOR_SRP,
    password,
  });
  const timestamp = cognitoTimestamp(new Date());
  const signature = await passwordClaim({
    key,
    poolName,
    userId: p.USER_ID_FOR_SRP,
    secretBlock: p.SECRET_BLOCK,
    timestamp,
  });
  const answer = await call<ChallengeAnswer>(pool, 'RespondToAuthChallenge', {
    ChallengeName: 'PASSWORD_VERIFIER',
    ClientId: pool.clientId,
    ChallengeResponses: {
      USERNAME: p.USER_ID_FOR_SRP,
      PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK,
      PASSWORD_CLAIM_SIGNATURE: signature,
      TIMESTAMP: timestamp,
    },
  });
  return outcome(answer, p.USER_ID_FOR_SRP);
}

/** Answers SOFTWARE_TOKEN_MFA with the six-digit code; the access token. */
export async function answerTotp(pool: CognitoPool, challenge: unknown, code: string): Promise<string> {
  const c = challenge as TotpChallenge;
  const answer = await call<ChallengeAnswer>(pool, 'RespondToAuthChallenge', {
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    ClientId: pool.clientId,
    Session: c.session,
    ChallengeResponses: { USERNAME: c.username, SOFTWARE_TOKEN_MFA_CODE: code.trim() },
  });
  const result = outcome(answer, c.username);
  if (!('token' in result)) throw new Error('Sign-in did not finish.');
  return result.token;
}
