import type { ConsoleLease } from './agent-away.js';
import type { AgentLoadSet, ConversationLoad, OpenAssignment } from './agent-load.js';
import type { Agent, AgentClaim, AgentProfile, AgentRole, ListedAgent } from './assignment.js';
import type { CsatResponsesPage, CsatResponsesRead } from './csat/responses.js';
import type { ImportPlan, ImportResult } from './customer-import.js';
import type { Identity } from './envelope.js';
import type { InboxFilter } from './inbox.js';
import type { UnmergeProgress } from './merges.js';
import type { Metrics, MetricsRange } from './metrics.js';
import type { Page, ResumablePage } from './paging.js';
import type { CustomerExport, ErasureReport } from './privacy.js';
import type { RouterAdmin } from './router-ports.js';
import type { Suggestion } from './suggestions.js';
import type { Conversation, Customer, TimelineItem } from './timeline.js';

/**
 * A page of a name search: `limit` customers after the cursor's place; `skip`, on the first page, the
 * customers answered already (found by an identity), which the cursor then leaves out of every page.
 */
export interface NamePage {
  limit: number;
  cursor?: string | undefined;
  skip?: readonly string[] | undefined;
}

/** The reads (and the agent-owned writes) the agent-side use cases make, whatever the store behind them. */
export interface AgentStore {
  findCustomerId(identity: Identity): Promise<string | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** Customers by id, in one read (a page's profiles); missing and erased ones left out. */
  getCustomers(customerIds: readonly string[]): Promise<Customer[]>;
  /** Customers whose name starts with the prefix, a page at a time, by name. */
  findCustomersByName(prefix: string, page: NamePage): Promise<Page<Customer>>;
  /** Every customer, newest first, a page at a time (merged away, erased and being-erased ones left out). */
  listCustomers(page: { limit: number; cursor?: string | undefined }): Promise<Page<Customer>>;
  /**
   * The timeline oldest first, a page at a time; every page's `resume` reads later what comes after it.
   * `from` (an ISO time, without a cursor): the first page starts at the items of that time, none before read.
   */
  timeline(
    customerId: string,
    page: { limit: number; cursor?: string | undefined; from?: string | undefined },
  ): Promise<ResumablePage<TimelineItem>>;
  /**
   * One provider item of the customer's timeline (theirs or a merged customer's) by its id, and its
   * time when known (`at`: read at its key); undefined when it is no such item of theirs.
   */
  customerItem(customerId: string, itemId: string, at?: string): Promise<TimelineItem | undefined>;
  /** The timeline from its end: the newest page first, its cursor to older ones (oldest first within a page). */
  timelineBack(
    customerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<TimelineItem>>;
  /** A conversation; with `consistent`, read strongly (it sees every write before it). */
  getConversation(
    conversationId: string,
    options?: { consistent?: boolean },
  ): Promise<Conversation | undefined>;
  inbox(
    filter: InboxFilter,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Conversation>>;
  suggestions(customerId: string): Promise<Suggestion[]>;
  setTags(customerId: string, tags: readonly string[]): Promise<void>;
  /** Names the customer as an agent says: kept over any name a provider's profile gives later. */
  renameCustomer(customerId: string, name: string): Promise<void>;
  /** Adds and removes tags, the others left as they are. */
  changeTags(
    customerId: string,
    change: { add: readonly string[]; remove: readonly string[] },
  ): Promise<void>;
  /** The running counters of a range of UTC days, added up. */
  overallMetrics(range: MetricsRange): Promise<Metrics>;
  /** One page of the survey answers of a span of time, newest first, filtered (customers not named). */
  csatAnswers(read: CsatResponsesRead): Promise<CsatResponsesPage>;
  getAgent(agentId: string): Promise<AgentProfile | undefined>;
  /**
   * Registers or updates an agent; with `expects`, only while their registration is (`registered`) or
   * is not (`new`) there yet: false when it is not so (a removal deleted it; another call made it).
   */
  putAgent(agent: AgentProfile, expects?: 'new' | 'registered'): Promise<boolean>;
  /**
   * An agent who holds open conversations with no registration (taken through the API, never
   * registered): registered as `agent`, while they are not, and those conversations, found on the open
   * inbox's list index (every open assignment read: for an admin's rare call), counted in their set as
   * an assignment counts them. False, nothing written, when they hold none (or registered meanwhile).
   */
  registerHolding(agent: AgentProfile): Promise<boolean>;
  /**
   * Retires the agent's registration (at `at`): no longer listed, routed to or assignable, but kept with
   * the set of the open conversations they hold, for the absent-agent sweep, the admin's list of what
   * removed agents hold and their restore; not there, nothing.
   */
  removeAgent(agentId: string, at: string): Promise<void>;
  /** The removed agents still holding open conversations (answered ones they keep, to transfer). */
  listRemovedHolding(): Promise<RemovedAgentHolding[]>;
  /**
   * A page of every removed agent (not restored since), in id order, with the open conversations their
   * kept registration still holds (none when they never registered).
   */
  listRemovedAgents(page: { limit: number; cursor?: string | undefined }): Promise<Page<RemovedAgentHolding>>;
  /** Notes the agent's role as their own registration update saw it (for the agents list). */
  noteAgentRole(agentId: string, role: AgentRole): Promise<void>;
  /** The agents noted as admins. */
  adminIds(): Promise<Set<string>>;
  /** Records that an admin removed the agent; recorded already, the first record kept. */
  markAgentRemoved(agentId: string, removal: { at: string; by: string }): Promise<void>;
  /** Whether the agent is removed (and not restored since). */
  isAgentRemoved(agentId: string): Promise<boolean>;
  /**
   * Puts the agent on the removed agents' list, unless the admin removing them (`by`) is on it: false
   * then (of two admins removing each other at once, one is refused).
   */
  listAgentRemoved(agentId: string, by: string): Promise<boolean>;
  /** Takes the agent's removal away (record, list, console lease mark): they may sign in and register again. */
  restoreAgent(agentId: string): Promise<void>;
  /** Marks the agent's console lease removed: no socket of theirs counts them at the console again. */
  removeConsoleLease(agentId: string, at: string): Promise<void>;
  listAgents(): Promise<ListedAgent[]>;
  /** The conversations the agent's set holds (open ones assigned to them), read strongly. */
  heldConversations(agentId: string): Promise<Conversation[]>;
  /** One agent with their load, read strongly (not through the list index). */
  getAgentNow(agentId: string): Promise<Agent | undefined>;
  /** A slot for the conversation claimed on the agent's item (see RouterStore's `claimAgentSlot`). */
  claimAgentSlot(agentId: string, conversationId: string, seen: number): Promise<AgentClaim>;
  /** Marks a refill of the agent on its way until `until`; false while another's mark runs (see agent-refill). */
  markRefill(agentId: string, now: string, until: string): Promise<boolean>;
  /** Takes the agent's refill mark away (their refill starts). */
  clearRefill(agentId: string): Promise<void>;
}

/** The customers a merge went between: the roots standing for the target and the source asked for. */
export type MergedPair = { targetId: string; sourceId: string };

/**
 * What a merge does to the merged-away customer's open conversation (see `mergeCustomers`): every write
 * conditional or growing a set, so a merge asked again completes them.
 */
export interface MergedConversationAdmin {
  /** The kept open conversation takes the joined one's channels and names it; its channel when later. */
  joinConversation(keptId: string, merged: Conversation, kept: Conversation): Promise<void>;
  /** The kept customer takes the open conversation; true when their profile holds it. */
  adoptConversation(
    conversationId: string,
    customers: { sourceId: string; targetId: string },
  ): Promise<boolean>;
  /** The merged-away profile lets go of the open conversation the kept profile holds. */
  releaseAdopted(sourceId: string, conversationId: string): Promise<void>;
  /**
   * The joined conversation's wait, since `at`, runs on in the kept open conversation, unless a wait
   * runs there or it was answered as late; true when it started.
   */
  waitFromJoined(keptId: string, at: string): Promise<boolean>;
}

/** The changes agents make to customers and conversations: multi-item sequences the store keeps safe. */
export interface AgentAdmin extends Pick<RouterAdmin, 'assign'>, MergedConversationAdmin {
  /**
   * Merges the customer standing for `sourceId` into the one standing for `targetId` (either may have
   * been merged before: the merge goes between their roots); answers those two roots.
   */
  merge(targetId: string, sourceId: string, agentId: string, now: string): Promise<MergedPair>;
  /** Undoes a merge; a heavy target takes several calls (`complete: false` until the last). */
  unmerge(targetId: string, sourceId: string, agentId: string, now: string): Promise<UnmergeProgress>;
  dismissSuggestion(customerId: string, otherId: string): Promise<void>;
  /**
   * Resolves an open conversation; answers the time it stands resolved at (now, or an earlier resolve's
   * when it was resolved already), or undefined when it is not resolved (reopened meanwhile).
   */
  resolveConversation(conversationId: string, agentId: string, now: string): Promise<string | undefined>;
  reopenConversation(conversationId: string, agentId: string, now: string): Promise<void>;
  /**
   * After an unmerge, reopens the customer's conversation the merge resolved while it waited on their
   * message, unless answered or resolved otherwise since; answers the reopen (also when a retry finds it
   * reopened by an unmerge), or undefined.
   */
  reopenAfterUnmerge?(
    customerId: string,
    now: string,
  ): Promise<{ conversationId: string; at: string } | undefined>;
  /**
   * After an unmerge, the kept customer's open conversation waits only on what is still theirs: a wait
   * that ran from the returning customer's message runs from the kept customer's own earliest
   * unanswered one, or ends; answers what its clock must hear (also when a retry finds it done), or
   * undefined.
   */
  /**
   * Imports one customer from another help desk (`POST /api/customers/import`), once per external id:
   * see `importCustomer` in the store. Absent, the route answers 503.
   */
  importCustomer?(plan: ImportPlan, context: { agentId: string; now: string }): Promise<ImportResult>;
  keptWaitAfterUnmerge?(
    targetId: string,
    sourceId: string,
    now: string,
  ): Promise<{ conversationId: string; at: string; since?: string } | undefined>;
  addNote(
    conversationId: string,
    text: string,
    agentId: string,
    now: string,
    noteId: string,
  ): Promise<TimelineItem>;
  /**
   * An agent's note made once for its `Idempotency-Key` (`noteId` from it): `created` false for a
   * retry, answering the first note and the hash of the request that made it, for the caller to compare.
   */
  addKeyedNote(note: KeyedNote): Promise<{ item: TimelineItem; created: boolean; requestHash: string }>;
  export(customerId: string, now: string): Promise<CustomerExport>;
  erase(customerId: string, agentId: string, now: string): Promise<ErasureReport>;
}

/** The agents' open-conversation sets and the conversations they count, for the reconcile. */
export interface AgentLoadStore {
  /** Every open conversation (snoozed included) with an assignee, from the inbox's list index. */
  listOpenAssignments(): Promise<OpenAssignment[]>;
  /** Every registered agent's set, from the agents list. */
  listAgentLoadSets(): Promise<AgentLoadSet[]>;
  /** The conversations' loads read strongly, by id; one no longer there (erased) is left out. */
  readConversationLoads(conversationIds: readonly string[]): Promise<Map<string, ConversationLoad>>;
  /**
   * Brings the sets in line with a conversation as read: its holder's set gets it (listed first), and
   * the sets of `heldBy` and of the agents it lists let it go; each write a set operation.
   */
  settleConversationLoad(load: ConversationLoad, heldBy: readonly string[]): Promise<void>;
}

/** An agent as the absent-agent sweep sees them: their set, and their console lease item when read. */
export type SweptAgent = ListedAgent & { lease?: ConsoleLease | undefined };

/** A removed agent who still holds open conversations, and those conversations' ids. */
export interface RemovedAgentHolding {
  id: string;
  openConversationIds: string[];
}

/** The agents' console leases and held conversations, for the sweep that hands back an absent agent's work. */
export interface AgentAwayStore {
  /** Every registered agent with their set; the lease items of those online or holding any conversation. */
  listAgentsWithLeases(): Promise<SweptAgent[]>;
  /** The removed agents still holding open conversations: theirs wait on nobody. */
  listRemovedHolding(): Promise<RemovedAgentHolding[]>;
  /** Conversations by id, read strongly; missing ones left out. */
  readConversations(conversationIds: readonly string[]): Promise<Conversation[]>;
  /** Marks the lapse seen, while the lease still ends at `connectedUntil`; kept (no `ttl`) until they return. */
  noteLeaseLapsed(agentId: string, connectedUntil: string): Promise<void>;
  /** Takes the mark off once their return has taken work, while it is still `lapsedAt`. */
  clearLeaseLapsed(agentId: string, lapsedAt: string): Promise<void>;
}

/** An agent's note under an `Idempotency-Key`: its id follows from the key, the request's hash is kept. */
export interface KeyedNote {
  conversationId: string;
  text: string;
  agentId: string;
  now: string;
  noteId: string;
  requestHash: string;
}
