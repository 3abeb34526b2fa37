import { API_ID_PATTERN, SELF_AGENT_ID, SYSTEM_ACTOR_IDS } from '../domain/api-id.js';
import type { Caller } from '../domain/caller.js';
import { ConfigError } from './config-error.js';

const ADMIN_SUFFIX = ':admin';

/** The longest token the agent API's bearer check takes. */
const MAX_TOKEN_CHARS = 4096;

/**
 * The shortest token: a token is the agent's password (an admin's exports and erases every customer),
 * so one short enough to guess is refused. 32 is what `npm start` generates (16 random bytes in hex).
 */
export const MIN_AGENT_TOKEN_CHARS = 32;

/**
 * Why one `AGENT_TOKENS` token cannot be used, or undefined: a token no caller could present (empty, a
 * space in it, too long), one that looks like a typo of the entry's shape (an empty part from a stray
 * colon, a role other than exactly `admin`), or one short enough to guess. Colons inside a token are
 * kept, as before.
 */
function tokenProblem(token: string): string | undefined {
  if (token.split(':').some((part) => part === '')) return 'the token has an empty part (a stray colon)';
  if (/\s/.test(token)) return 'the token has a space in it';
  if (token.length > MAX_TOKEN_CHARS) return `the token is over ${MAX_TOKEN_CHARS} characters`;
  if (/:admin$/i.test(token)) return 'the role must be exactly `admin`';
  if (token.length < MIN_AGENT_TOKEN_CHARS) {
    return `the token is shorter than ${MIN_AGENT_TOKEN_CHARS} characters, easy to guess: use a random one, such as \`openssl rand -hex 16\`'s`;
  }
  return undefined;
}

/**
 * Why an `AGENT_TOKENS` agent id cannot be used, or undefined: one the agent API refuses in its paths
 * (`DELETE /api/agents/{id}`, `assignee=`), `me`, which it reads as the caller, or an id Threadline acts
 * under itself (SYSTEM_ACTOR_IDS).
 */
function agentIdProblem(agentId: string): string | undefined {
  if (agentId === SELF_AGENT_ID)
    return 'the agent id `me` is what the API calls the caller itself: choose another';
  if (SYSTEM_ACTOR_IDS.includes(agentId))
    return `the agent id \`${agentId}\` is one Threadline acts under itself (events' \`by\`): choose another`;
  if (!API_ID_PATTERN.test(agentId)) {
    return 'the agent id must be 1 to 64 ASCII letters, digits, `-` or `_`, as the agent API takes';
  }
  return undefined;
}

/**
 * Parses `agentId:token,agentId:token:admin` into a token → agent map; an entry ending in `:admin` is an
 * admin. The token is everything between the first colon and the end (or the `:admin` suffix). An entry
 * that cannot be right (see `tokenProblem`, or a token given twice) stops the start, naming the variable
 * and the entry (its number and agent, never the token): a dropped or mangled entry locked its agent out
 * silently.
 */
export function parseAgentTokens(value: string | undefined): Map<string, Caller> {
  const tokens = new Map<string, Caller & { entry: number }>();
  const entries = (value ?? '').split(',').map((e) => e.trim());
  entries.forEach((trimmed, index) => {
    if (!trimmed) return;
    const refuse = (why: string, agent?: string): never => {
      const who = agent ? ` (agent "${agent}")` : '';
      throw new ConfigError(`invalid configuration: AGENT_TOKENS: entry ${index + 1}${who}: ${why}`);
    };
    const admin = trimmed.endsWith(ADMIN_SUFFIX) && trimmed.indexOf(':') < trimmed.lastIndexOf(':');
    const pair = admin ? trimmed.slice(0, -ADMIN_SUFFIX.length) : trimmed;
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      refuse(
        'expected agentId:token or agentId:token:admin; the token is empty',
        colon > 0 ? pair.slice(0, colon) : undefined,
      );
    }
    const agentId = pair.slice(0, colon);
    const token = pair.slice(colon + 1);
    const problem = agentIdProblem(agentId) ?? tokenProblem(token);
    if (problem) refuse(problem, agentId);
    const before = tokens.get(token);
    if (before) refuse(`the same token as entry ${before.entry}`, agentId);
    const sameAgent = [...tokens.values()].find((entry) => entry.agentId === agentId);
    if (sameAgent) refuse(`the same agent as entry ${sameAgent.entry}: give each agent one entry`, agentId);
    tokens.set(token, { agentId, admin, entry: index + 1 });
  });
  return new Map([...tokens].map(([token, { agentId, admin }]) => [token, { agentId, admin }]));
}
