import type { DynamoDb } from './dynamo-client.js';

/** The key the health check reads: no item is ever written there, so the read costs half a unit. */
export const HEALTH_KEY = { pk: 'HEALTH', sk: 'HEALTH' } as const;

/**
 * Whether the table answers: one eventually consistent GetItem of a key that holds nothing (0.5 read
 * units), which fails as every call of the function would (no table, no permission, the service down).
 */
export async function probeTable(db: DynamoDb): Promise<void> {
  await db.doc.get({ TableName: db.table, Key: HEALTH_KEY, ProjectionExpression: 'pk' });
}
