import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * What the deadline index gsi2 projects besides the keys: the inbox filters. Nothing a message changes
 * on every write, so only an SLA change (or an assignment, a new channel) writes the index.
 */
export const DEADLINE_INDEX_ATTRIBUTES = ['assignee', 'queue', 'channels'];

/**
 * The table's key schema, shared by the local engine and asserted against the CDK stack, so the two
 * cannot drift: pk/sk strings, one generic index gsi1 (gsi1pk/gsi1sk) projecting everything, and the
 * sparse deadline index gsi2 (gsi2pk/gsi2sk), projecting the keys and the inbox filters.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
      { AttributeName: 'gsi2sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'gsi2',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: DEADLINE_INDEX_ATTRIBUTES },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
