import * as z from 'zod';
import { atConsole } from './live/console-presence.js';
import { languageMatches } from './routing/language-match.js';
import { LanguageTagSchema } from './routing/policy.js';

const DAY_MS = 86_400_000;

/** Set by the agent through the API; only online agents at the console get conversations. */
export const AgentPresenceSchema = z.enum(['online', 'away']);

/** An agent as assignment sees them. */
export const AgentSchema = z.object({
  id: z.string().min(1),
  queues: z.array(z.string().min(1)),
  languages: z.array(LanguageTagSchema),
  /** How many conversations they take at once. */
  capacity: z.number().int().nonnegative(),
  presence: AgentPresenceSchema,
  /** Open conversations assigned to them now. */
  openConversations: z.number().int().nonnegative(),
  /**
   * Until when they count as at the console (ISO 8601): a live socket of theirs open, or closed less than
   * two minutes ago. Absent when they never opened one (or their presence is not `online`: not read then).
   */
  connectedUntil: z.iso.datetime().optional(),
});
export type Agent = z.infer<typeof AgentSchema>;

/**
 * An agent as `GET /api/agents` lists them: with `unknownQueues`, those of their queues the routing
 * policy no longer names (taken out or renamed since they joined), when there are any.
 */
export const AgentListedSchema = AgentSchema.extend({
  /** Their queues the routing policy does not name: nothing is routed to those, so none is handed to them. */
  unknownQueues: z.array(z.string()).optional(),
  role: z
    .enum(['agent', 'admin'])
    .describe(
      'their role (`admin` or `agent`) as their own last `PUT /api/agents/me` saw it (the console makes one at each sign-in); `agent` when none has since roles were noted',
    ),
});
export type AgentListed = z.infer<typeof AgentListedSchema>;

/** An agent's role: `admin` (the Cognito group `admins`, an `AGENT_TOKENS` entry ending `:admin`) or `agent`. */
export type AgentRole = AgentListed['role'];

/** A removed agent who still holds open conversations (answered ones stay theirs, to transfer). */
export const RemovedAgentListedSchema = z.object({
  id: z.string(),
  openConversations: z
    .number()
    .int()
    .describe(
      'the open conversations still assigned to them: `GET /api/conversations?assignee=<id>` lists them',
    ),
});
export type RemovedAgentListed = z.infer<typeof RemovedAgentListedSchema>;

/** An agent as the agents list shows them to routing: with the conversations their set holds. */
export type ListedAgent = Agent & { openConversationIds?: readonly string[] | undefined };

/**
 * A claim of a slot on an agent's own item: made, or refused (full, away, or busier than the load
 * they were chosen on), with the agent as they are now, read strongly (undefined: not registered).
 */
export type AgentClaim = { claimed: true } | { claimed: false; agent: Agent | undefined };

/**
 * The agents as routing chooses among them for a conversation, and the `holders`: those whose set holds
 * it already (a claim an earlier run made, then crashed before the assignment). A holder counts it no
 * more, so the retry may choose them again (their claim passes as it stands); another chosen, the
 * holders' sets let it go.
 */
export function loadsWithout(
  agents: readonly ListedAgent[],
  conversationId: string,
): { agents: Agent[]; holders: string[] } {
  const holders: string[] = [];
  const loads = agents.map(({ openConversationIds, ...agent }) => {
    if (!openConversationIds?.includes(conversationId)) return agent;
    holders.push(agent.id);
    return { ...agent, openConversations: Math.max(0, agent.openConversations - 1) };
  });
  return { agents: loads, holders };
}

/** Who gets a conversation: an agent (and why), or nobody yet: it waits in its queue. */
export type AgentChoice = { agentId: string; reason: 'last_helped' | 'least_loaded' } | { waiting: true };

/** What assignment needs to know. */
export interface ChooseAgentInput {
  agents: readonly Agent[];
  conversation: { queue: string; language?: string | undefined };
  /** The agent who last helped this customer, and when (ISO 8601). */
  lastHelpedBy?: { agentId: string; at: string } | undefined;
  /** How recent `lastHelpedBy` must be to count; 0 turns the preference off. */
  stickyDays: number;
  now: Date;
}

/** Online (their choice), at the console now (a live socket) and with room. */
const isAvailable = (agent: Agent, now: Date) =>
  agent.presence === 'online' &&
  atConsole(agent.connectedUntil, now) &&
  agent.openConversations < agent.capacity;

/** Whether the agent can take waiting work now: available (online, at the console, room) and in a queue. */
export const canTakeWork = (agent: Agent, now: Date): boolean =>
  agent.queues.length > 0 && isAvailable(agent, now);
/** Whether the agent lists the conversation's language (none found: everyone does). */
const listsLanguage = (agent: Agent, language: string | undefined) =>
  language === undefined || languageMatches(agent.languages, language);
/**
 * Whether the agent may take a conversation in that language: they list it, or they list none at all
 * (an agent who set no languages, as the console registers them, takes any).
 */
const speaks = (agent: Agent, language: string | undefined) =>
  agent.languages.length === 0 || listsLanguage(agent, language);

/**
 * Picks the agent for a conversation (only an agent online and at the console, see `isAvailable`): the
 * agent who last helped the customer, if within `stickyDays`, online, under capacity and speaking the conversation's language (their queues do not matter: they
 * know the customer); else the least-loaded online agent of the queue who speaks the language and has
 * room (those who list it before those who list no language, then fewest open conversations, then most
 * room left, then id); else the conversation waits. An agent who lists no language speaks every one.
 */
export function chooseAgent(input: ChooseAgentInput): AgentChoice {
  const { agents, conversation, lastHelpedBy, stickyDays, now } = input;

  if (lastHelpedBy && stickyDays > 0) {
    const age = now.getTime() - Date.parse(lastHelpedBy.at);
    const sticky = agents.find((a) => a.id === lastHelpedBy.agentId);
    if (
      age <= stickyDays * DAY_MS &&
      sticky &&
      isAvailable(sticky, now) &&
      speaks(sticky, conversation.language)
    ) {
      return { agentId: sticky.id, reason: 'last_helped' };
    }
  }

  const [best] = agents
    .filter(
      (a) => a.queues.includes(conversation.queue) && isAvailable(a, now) && speaks(a, conversation.language),
    )
    .sort(
      (a, b) =>
        Number(listsLanguage(b, conversation.language)) - Number(listsLanguage(a, conversation.language)) ||
        a.openConversations - b.openConversations ||
        b.capacity - b.openConversations - (a.capacity - a.openConversations) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  return best ? { agentId: best.id, reason: 'least_loaded' } : { waiting: true };
}

/** A conversation waiting in a queue for an agent. */
export interface WaitingConversation {
  conversationId: string;
  queue: string;
  /** ISO 8601: since when the customer has waited. */
  waitingSince: string;
  language?: string | undefined;
}

/**
 * The conversation an agent who has just freed up (or come online) should take: the one waiting
 * longest in any of their queues, in a language they speak (any, when they list none); undefined when they are away, not at the
 * console, full, or nothing they can take is waiting.
 */
export function nextWaitingConversation(
  queueWaiting: readonly WaitingConversation[],
  agent: Agent,
  now: Date,
): WaitingConversation | undefined {
  if (!isAvailable(agent, now)) return undefined;
  let next: WaitingConversation | undefined;
  let nextAt = Number.POSITIVE_INFINITY;
  for (const waiting of queueWaiting) {
    if (!agent.queues.includes(waiting.queue) || !speaks(agent, waiting.language)) continue;
    const at = Date.parse(waiting.waitingSince);
    if (at < nextAt || (at === nextAt && next && waiting.conversationId < next.conversationId)) {
      next = waiting;
      nextAt = at;
    }
  }
  return next;
}

/** An agent as registered: what they set through `PUT /api/agents/me`. */
export const AgentProfileSchema = AgentSchema.omit({ openConversations: true, connectedUntil: true }).extend({
  updatedAt: z.iso.datetime(),
});
export type AgentProfile = z.infer<typeof AgentProfileSchema>;

/** Each value once (as `key` reads it), in the order first given. */
const distinct = (values: string[], key = (value: string) => value): string[] => {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(key(value)) && Boolean(seen.add(key(value))));
};

/** The body of `PUT /api/agents/me`: only the fields given change. */
export const AgentUpdateSchema = z.strictObject({
  presence: AgentPresenceSchema.optional(),
  // A queue given twice is kept once, a language too (`en` and `EN` are one), in the order first given.
  queues: z
    .array(z.string().trim().min(1).max(64))
    .max(50)
    .overwrite((queues) => distinct(queues))
    .optional(),
  languages: z
    .array(LanguageTagSchema)
    .max(20)
    .overwrite((tags) => distinct(tags, (tag) => tag.toLowerCase()))
    .optional(),
  capacity: z.number().int().min(0).max(100).optional(),
});
export type AgentUpdate = z.infer<typeof AgentUpdateSchema>;

/** A new agent: away, in no queue, speaking no declared language, room for five conversations. */
export function applyAgentUpdate(
  agentId: string,
  current: AgentProfile | undefined,
  update: AgentUpdate,
  now: string,
): AgentProfile {
  return {
    id: agentId,
    presence: update.presence ?? current?.presence ?? 'away',
    queues: update.queues ?? current?.queues ?? [],
    languages: update.languages ?? current?.languages ?? [],
    capacity: update.capacity ?? current?.capacity ?? 5,
    updatedAt: now,
  };
}
