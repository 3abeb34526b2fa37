import type { CreateTableCommandInput, GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { AGENT_LOAD_ATTRIBUTE } from '../domain/agent-load.js';

/**
 * What the deadline index gsi2 projects besides the keys: the inbox filters. Nothing a message changes
 * on every write, so only an SLA change (or an assignment, a new channel) writes the index.
 */
export const DEADLINE_INDEX_ATTRIBUTES = ['assignee', 'queue', 'channels'];

/**
 * The list index: gsi1's keys (`gsi1pk`/`gsi1sk`: inbox, customer names, agents, webhooks) projecting
 * only what a message never changes, so a conversation's or a profile's per-message writes do not
 * write it; the inbox, name and webhook reads fetch their page's items by key. It replaced `gsi1`,
 * which projected everything.
 */
export const LIST_INDEX = 'gsi1k';

/**
 * An agent's profile, whole, which no other item in the list index carries: listing the agents (every
 * hand-off does) reads the index alone. A new profile field must be added here, which takes a new
 * index (a unit test holds the two together).
 */
export const AGENT_LIST_ATTRIBUTES = ['id', 'queues', 'languages', 'capacity', 'presence', 'updatedAt'];

/**
 * An agent's open conversations (a string set of their ids) on the agent's item, projected with the
 * profile: the agents list counts them without another read. Named in the domain, whose live events read it.
 */
export { AGENT_LOAD_ATTRIBUTE };

/** The agents whose open-conversation set may hold a conversation (a string set on the conversation). */
export const CONVERSATION_LOAD_ATTRIBUTE = 'loadAgents';

/** What the list index projects besides the keys: the inbox filters and the agents' profiles and loads. */
export const LIST_INDEX_ATTRIBUTES = [
  ...DEADLINE_INDEX_ATTRIBUTES,
  ...AGENT_LIST_ATTRIBUTES,
  AGENT_LOAD_ATTRIBUTE,
];

/**
 * The customer list index: the profiles, newest first, by keys the profile's first write sets
 * (`shared/store/customer-list.ts`). Keys only and sparse: nothing later on the profile writes it, and
 * no other item has its keys. A profile has its place in the list index (gsi1k) already, by name,
 * so the list needs its own.
 */
export const CUSTOMER_LIST_INDEX = 'gsi3';

/** The key attributes of each index the store queries (an index's name need not prefix them). */
export const INDEX_KEYS = {
  [LIST_INDEX]: { pk: 'gsi1pk', sk: 'gsi1sk' },
  gsi2: { pk: 'gsi2pk', sk: 'gsi2sk' },
  [CUSTOMER_LIST_INDEX]: { pk: 'gsi3pk', sk: 'gsi3sk' },
} as const;

/** An index the store queries. */
export type QueriedIndex = keyof typeof INDEX_KEYS;

/** An index's projection: every attribute (undefined), its keys only (`[]`), or its keys and these. */
function index(name: string, keys: { pk: string; sk: string }, projected?: string[]): GlobalSecondaryIndex {
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: keys.pk, KeyType: 'HASH' },
      { AttributeName: keys.sk, KeyType: 'RANGE' },
    ],
    Projection:
      projected === undefined
        ? { ProjectionType: 'ALL' }
        : projected.length === 0
          ? { ProjectionType: 'KEYS_ONLY' }
          : { ProjectionType: 'INCLUDE', NonKeyAttributes: projected },
  };
}

/**
 * The table's key schema, shared by the local engine and asserted against the CDK stack, so the two
 * cannot drift: pk/sk strings, the list index gsi1k (gsi1pk/gsi1sk) and the sparse deadline index gsi2
 * (gsi2pk/gsi2sk), each projecting the keys and the inbox filters (gsi1k the agents' profiles too),
 * and the sparse customer list index gsi3 (gsi3pk/gsi3sk), keys only.
 * `keepGsi1` adds the index gsi1k replaced (same keys, projecting everything), which an upgraded stack
 * keeps for one deploy.
 */
export function tableDefinition(
  tableName: string,
  options: { keepGsi1?: boolean } = {},
): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
      { AttributeName: 'gsi2sk', AttributeType: 'S' },
      { AttributeName: 'gsi3pk', AttributeType: 'S' },
      { AttributeName: 'gsi3sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      ...(options.keepGsi1 ? [index('gsi1', INDEX_KEYS[LIST_INDEX])] : []),
      index(LIST_INDEX, INDEX_KEYS[LIST_INDEX], LIST_INDEX_ATTRIBUTES),
      index('gsi2', INDEX_KEYS.gsi2, DEADLINE_INDEX_ATTRIBUTES),
      index(CUSTOMER_LIST_INDEX, INDEX_KEYS[CUSTOMER_LIST_INDEX], []),
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
