import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { agentRepository } from './agent-repository.js';
import { conversationRepository } from './conversation-repository.js';
import { customerRepository } from './customer-repository.js';
import { documentClient } from './dynamo-client.js';
import { metricsRepository } from './metrics-repository.js';
import { replyRepository } from './reply-repository.js';
import { suggestionRepository } from './suggestion-repository.js';
import { timelineRepository } from './timeline-repository.js';

/**
 * Every repository over one DynamoDB table and one document client. A composition root spreads those
 * a use case needs into its ports (`{ ...customers, ...suggestions, ...timeline, ...conversations }`
 * is a ResolverStore).
 */
export function dynamoRepositories(client: DynamoDBClient, table: string) {
  const db = { doc: documentClient(client), table };
  const customers = customerRepository(db);
  const timeline = timelineRepository(db, customers);
  return {
    customers,
    suggestions: suggestionRepository(db, customers),
    timeline,
    conversations: conversationRepository(db),
    replies: replyRepository(db, timeline),
    agents: agentRepository(db),
    metrics: metricsRepository(db),
  };
}

/** Every repository over one table, by aggregate. */
export type DynamoRepositories = ReturnType<typeof dynamoRepositories>;

/**
 * The repositories behind the store ports of the resolver, routing, replies and the agent API, spread
 * into one object: what a composition root that runs several of them passes as their `store`.
 */
export function storePorts(repos: DynamoRepositories) {
  return {
    ...repos.customers,
    ...repos.suggestions,
    ...repos.timeline,
    ...repos.conversations,
    ...repos.replies,
    ...repos.agents,
    ...repos.metrics,
  };
}
