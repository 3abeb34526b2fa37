import { MIN_AGENT_TOKEN_CHARS } from '#shared/config/agent-tokens.js';

/**
 * A test's AGENT_TOKENS token, named for what it is (`agentToken('merge-admin')`): the name lengthened
 * to the shortest token the start takes (MIN_AGENT_TOKEN_CHARS), so tokens stay readable in a test and
 * distinct from each other, and the rule is not weakened for tests.
 */
export function agentToken(name: string): string {
  return name.length >= MIN_AGENT_TOKEN_CHARS ? name : `${name}-`.padEnd(MIN_AGENT_TOKEN_CHARS, '0');
}
