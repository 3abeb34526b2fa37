/** Who calls the agent API: the agent, and whether they hold the admin role. */
export interface Caller {
  agentId: string;
  /**
   * Admins may also export, erase, merge and unmerge customers and read the audit log: the Cognito
   * group `admins` on AWS, an `AGENT_TOKENS` entry ending in `:admin` locally.
   */
  admin: boolean;
  /** When the token expires (epoch ms): a Cognito token's `exp`; none for a local `AGENT_TOKENS` token. */
  expiresAt?: number;
}
