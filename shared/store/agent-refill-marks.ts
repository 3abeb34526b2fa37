import { type DynamoDb, deleteItem, updateItemIf } from './dynamo-client.js';

/** The agent's refill mark: its own small item, written by refill requests and runs only. */
const refillKey = (agentId: string) => ({ pk: `AGENT_REFILL#${agentId}`, sk: 'AGENT_REFILL' });

/** How long past its end a refill's mark stays before DynamoDB's TTL takes it (a lapsed one counts as gone). */
const MARK_KEPT_S = 3_600;

/**
 * An agent's refill mark (`pk=AGENT_REFILL#<id>`): `markRefill` sets it until `until` only while there
 * is none, or the one there lapsed (its refill lost), so of several requests at once one schedules the
 * refill; `clearRefill` takes it away as the refill starts, so a slot freed after that asks again.
 */
export function agentRefillMarks(db: DynamoDb) {
  return {
    markRefill: (agentId: string, now: string, until: string): Promise<boolean> =>
      updateItemIf(db, {
        TableName: db.table,
        Key: refillKey(agentId),
        UpdateExpression: 'SET entity = :entity, agentId = :agent, #until = :until, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now',
        ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':entity': 'agent_refill',
          ':agent': agentId,
          ':until': until,
          ':now': now,
          ':ttl': Math.ceil(Date.parse(until) / 1000) + MARK_KEPT_S,
        },
      }),
    clearRefill: (agentId: string): Promise<void> =>
      deleteItem(db, { TableName: db.table, Key: refillKey(agentId) }),
  };
}
