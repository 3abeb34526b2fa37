import type { ImportPlan } from '../domain/customer-import.js';
import type { VisitorReads } from '../domain/webchat/live-ports.js';
import { agentLoadStore } from './agent-load.js';
import { agentPresences, agentRepository, consoleLeaseRepository } from './agent-repository.js';
import { auditRepository } from './audit-repository.js';
import { type ImportContext, importCustomer } from './customer-import.js';
import { customerRepository } from './customer-repository.js';
import type { DocumentStore } from './dynamo-client.js';
import type { ErasureDeps } from './erasure.js';
import { liveConnectionRepository, liveEventRepository } from './live-repository.js';
import { mergeRepository } from './merge-repository.js';
import { messageRepositories } from './message-repositories.js';
import { missedCallRepository } from './missed-call-repository.js';
import { privacyRepository } from './privacy-repository.js';
import { probeTable } from './table-probe.js';
import { timelineItemReads } from './timeline-item-reads.js';
import { unmergeReopenRepository } from './unmerge-reopen.js';
import { unmergeWaitRepository } from './unmerge-wait.js';
import { webchatRepository } from './webchat-repository.js';
import { webhookRepository } from './webhook-repository.js';

export {
  clockPorts,
  type MessageRepositories,
  messageRepositories,
  storePorts,
} from './message-repositories.js';

/**
 * Every repository over one DynamoDB table and one document store (the SDK's document client, or the
 * lite client on Lambda); `exports`, for the agent API, is where an erasure deletes exports written aside. A composition root spreads those
 * a use case needs into its ports (`{ ...customers, ...suggestions, ...timeline, ...conversations }`
 * is a ResolverStore).
 */
export function dynamoRepositories(
  doc: DocumentStore,
  table: string,
  options: { exports?: ErasureDeps['exports'] } = {},
) {
  const db = { doc, table };
  const message = messageRepositories(doc, table);
  const { customers, suggestions, timeline, conversations } = message;
  return {
    ...message,
    agentLoad: agentLoadStore(db),
    merges: mergeRepository(db, { suggestions, timeline }),
    unmergeReopen: unmergeReopenRepository(db, timeline),
    unmergeWait: unmergeWaitRepository(db),
    privacy: privacyRepository(db, {
      customers,
      conversations,
      suggestions,
      timeline,
      exports: options.exports,
    }),
    audit: auditRepository(db),
    webhooks: webhookRepository(db),
    liveEvents: liveEventRepository(db),
    liveConnections: liveConnectionRepository(db),
    consoleLeases: consoleLeaseRepository(db),
    /** The presence these agents chose (a GetItem each, at once); those not registered left out. */
    agentPresences: (agentIds: readonly string[]) => agentPresences(db, agentIds),
    webchat: webchatRepository(db),
    missedCalls: missedCallRepository(db),
    /** Whether the table answers (GET /api/health): one GetItem of a key that holds nothing. */
    tableReachable: () => probeTable(db),
    customerImports: {
      importCustomer: (plan: ImportPlan, context: ImportContext) => importCustomer(db, plan, context),
    },
  };
}

/** Every repository over one table, by aggregate. */
export type DynamoRepositories = ReturnType<typeof dynamoRepositories>;

/**
 * The repositories behind the changes agents make (merge, unmerge, suggestions, resolve, reopen,
 * notes, assignment, export, erase), spread into one object: the agent API's and routing's `admin`.
 */
export function adminPorts(repos: DynamoRepositories) {
  return {
    ...repos.conversations,
    ...repos.suggestions,
    ...repos.merges,
    ...repos.unmergeReopen,
    ...repos.unmergeWait,
    ...repos.privacy,
    ...repos.customerImports,
  };
}

/**
 * The reads behind the agent API's file routes, and nothing else (the agent-media function): a customer
 * and their merged group, one of their items, an agent's removal record. Built without the other
 * repositories, whose writes that function may not make.
 */
export function mediaPorts(doc: DocumentStore, table: string) {
  const db = { doc, table };
  const customers = customerRepository(db);
  const items = timelineItemReads(db, customers);
  return {
    getCustomer: customers.getCustomer,
    customerItem: items.customerItem,
    customerItemRaw: items.customerItemRaw,
    isAgentRemoved: agentRepository(db).isAgentRemoved,
  };
}

/** The repositories behind the web chat's store: sessions and counters, the visitor's customer and timeline. */
export function webchatPorts(repos: DynamoRepositories) {
  return {
    ...repos.webchat,
    findCustomerId: repos.customers.findCustomerId,
    findIdentityOwner: repos.customers.findIdentityOwner,
    mergedPartitions: (customerId: string) => repos.customers.mergedPartitions(customerId),
    timeline: repos.timeline.timeline,
    timelineBack: repos.timeline.timelineBack,
    recentPlacedTimeline: repos.timeline.recentPlacedTimeline,
  };
}

/** The reads that say whose a visitor's live signal is (an agent's typing, a hand-off). */
export function visitorReads(repos: DynamoRepositories): VisitorReads {
  return {
    getConversation: repos.conversations.getConversation,
    lastInbound: repos.timeline.lastInbound,
    mergedCustomers: repos.customers.mergedCustomers,
    getTimelineItem: repos.timeline.getTimelineItem,
  };
}
