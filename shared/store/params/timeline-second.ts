import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryTimelineInput } from './timeline.js';

/**
 * Up to `limit` items of one time (`TIMELINE#<at>`, see `keyTime`) in one partition, in key order: a
 * timeline page reads the whole time a page ends in, to order its items by arrival. `#` follows the
 * time in every key of it and `$` is the character after `#`, so the range holds that time's keys and
 * no other. `after`: only its keys above that one (a time read in key order, a page at a time).
 */
export function queryTimelineSecondInput(
  table: string,
  customerId: string,
  time: string,
  page: { limit: number; after?: string | undefined },
): QueryCommandInput {
  // The time itself sorts just before its first key, as a sort key to start after.
  const input = queryTimelineInput(table, customerId, { limit: page.limit, after: page.after ?? time });
  return { ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':to': `${time}$` } };
}
