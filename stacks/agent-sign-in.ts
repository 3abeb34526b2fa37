import type { Config } from '#shared/config/config.js';
import type { ThreadlineFunction } from './constructs/threadline-function.js';

/** Agents' sign-in as a function checks it (shared/lambda/agent-auth.ts): the Cognito pool, its client, the groups. */
export interface AgentSignIn {
  readonly userPoolId: string;
  readonly clientId: string;
  /** The group every agent is in. */
  readonly group: string;
  /** The group whose members are admins too. */
  readonly adminGroup: string;
}

/** The settings the sign-in check reads, by the part of AgentSignIn each holds. */
const signInSettings = {
  userPoolId: 'COGNITO_USER_POOL_ID',
  clientId: 'COGNITO_CLIENT_ID',
  group: 'AGENT_GROUP',
  adminGroup: 'ADMIN_GROUP',
} as const satisfies Record<keyof AgentSignIn, keyof Config>;

/**
 * Sets on a function agents call (the agent API, its file routes, the live socket) what their sign-in
 * check reads: the Cognito user pool and client, the agents' and admins' groups.
 */
export function bindAgentSignIn<F extends ThreadlineFunction>(fn: F, auth: AgentSignIn): F {
  for (const part of Object.keys(signInSettings) as (keyof AgentSignIn)[]) {
    fn.addEnvironment(signInSettings[part], auth[part]);
  }
  return fn;
}
