import { agentRefillMarks } from './agent-refill-marks.js';
import { agentRepository } from './agent-repository.js';
import { clockRepository } from './clock-repository.js';
import { conversationRepository, conversationSnapshotOf } from './conversation-repository.js';
import { conversationStateRepository } from './conversation-state-repository.js';
import { customerRepository } from './customer-repository.js';
import type { DocumentStore } from './dynamo-client.js';
import { heldEditRepository } from './message-edit.js';
import { metricsRepository } from './metrics-repository.js';
import { replyRepository } from './reply-repository.js';
import { suggestionRepository } from './suggestion-repository.js';
import { timelineRepository } from './timeline-repository.js';

/**
 * The repositories a message's way through the resolver uses (its store ports, the conversation
 * clock's, routing's `admin`), and no others: the resolver builds only these, so its bundle leaves out
 * merges, erasure, audit, webhooks, live updates and web chat, whose writes it never makes.
 */
export function messageRepositories(doc: DocumentStore, table: string) {
  const db = { doc, table };
  const customers = customerRepository(db);
  const suggestions = suggestionRepository(db, customers);
  const timeline = { ...timelineRepository(db, customers), ...heldEditRepository(db, customers) };
  const conversations = conversationRepository(db, timeline);
  return {
    customers,
    suggestions,
    timeline,
    conversations,
    conversationState: conversationStateRepository(db, conversationSnapshotOf),
    replies: replyRepository(db, timeline),
    agents: { ...agentRepository(db), ...agentRefillMarks(db) },
    metrics: metricsRepository(db),
    clock: clockRepository(db),
  };
}

/** The repositories of a message's way (`messageRepositories`), by aggregate. */
export type MessageRepositories = ReturnType<typeof messageRepositories>;

/**
 * The repositories behind the store ports of the resolver, routing, replies and the agent API, spread
 * into one object: what a composition root that runs several of them passes as their `store`.
 */
export function storePorts(repos: MessageRepositories) {
  return {
    ...repos.customers,
    ...repos.suggestions,
    ...repos.timeline,
    ...repos.conversations,
    ...repos.conversationState,
    ...repos.replies,
    ...repos.agents,
    ...repos.metrics,
  };
}

/** The repositories behind the conversation clock's store (SLA, snooze, auto-resolve). */
export function clockPorts(repos: MessageRepositories) {
  return {
    ...repos.customers,
    ...repos.timeline,
    ...repos.conversations,
    ...repos.clock,
    getAgent: repos.agents.getAgent,
  };
}
