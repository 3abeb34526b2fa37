import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** A stored item as a fake table holds it: its keys and the rest. */
export type KeyedRow = Record<string, unknown> & { pk: string; sk: string };

/**
 * Answers a Query over `rows` as DynamoDB does for a `pk = :pk AND sk BETWEEN :from AND :to` key
 * condition: the range, its direction, `Limit` and `ExclusiveStartKey`, and `LastEvaluatedKey` when
 * more remain.
 */
export function answerKeyRange(rows: readonly KeyedRow[], input: QueryCommandInput) {
  const values = input.ExpressionAttributeValues ?? {};
  const forward = input.ScanIndexForward !== false;
  let found = rows
    .filter((row) => row.pk === values[':pk'] && row.sk >= values[':from'] && row.sk <= values[':to'])
    .sort((a, b) => (a.sk < b.sk ? -1 : 1) * (forward ? 1 : -1));
  const start = input.ExclusiveStartKey?.sk;
  if (typeof start === 'string') found = found.filter((row) => (forward ? row.sk > start : row.sk < start));
  const limit = input.Limit ?? found.length;
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return {
    Items: items,
    ...(found.length > limit && last ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk } } : {}),
  };
}
