import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CsatResponsesRead } from '../../domain/csat/responses.js';
import type { TimelineItem } from '../../domain/timeline.js';
import { SHARDS, shardOf } from '../keys.js';
import { LIST_INDEX } from '../table.js';

/**
 * List index (gsi1k) partition of one shard of the survey answers (Query ×16 gsi1pk=CSAT_ANSWERS#<shard>,
 * gsi1sk between two times, newest first, merged, then BatchGetItem): `GET /api/csat/responses`.
 */
export const csatAnswersPartition = (shard: number): string => `CSAT_ANSWERS#${shard}`;

/**
 * The list index's keys of a survey answer's timeline item (`event: csat`), set by the write that
 * records the answer (no write more): in its conversation's shard, by the answer's time, then the
 * survey (unique), then what the list filters on (score, whether there is a comment, the agent
 * credited), which the index does not project otherwise. None for any other item. An erasure deletes
 * the item, and its entry with it.
 */
export function csatAnswerIndexKeys(item: TimelineItem): { gsi1pk: string; gsi1sk: string } | undefined {
  const data = item.data;
  if (item.event !== 'csat' || !data || !item.conversationId) return undefined;
  const { answeredAt, surveyId, score, comment, agent } = data;
  if (typeof answeredAt !== 'string' || typeof surveyId !== 'string' || typeof score !== 'number')
    return undefined;
  const said = typeof comment === 'string' && comment !== '' ? 1 : 0;
  return {
    gsi1pk: csatAnswersPartition(shardOf(item.conversationId, SHARDS.csatAnswers)),
    gsi1sk: `${answeredAt}#${surveyId}#${score}#${said}#${typeof agent === 'string' ? agent : ''}`,
  };
}

/** One shard's answers from `before` (or the range's end) back to its start, newest first. */
export function csatAnswersShardInput(
  table: string,
  shard: number,
  read: CsatResponsesRead & { before?: string | undefined },
): QueryCommandInput {
  return {
    TableName: table,
    IndexName: LIST_INDEX,
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :start AND :end',
    ExpressionAttributeValues: {
      ':pk': csatAnswersPartition(shard),
      ':start': read.start,
      // `$` sorts after `#`: every answer of the range's last instant is inside.
      ':end': read.before ?? `${read.end}$`,
    },
    ScanIndexForward: false,
  };
}
