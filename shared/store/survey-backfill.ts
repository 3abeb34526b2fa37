import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { CSAT_AUTHOR_ID } from '../domain/csat/csat-ports.js';
import type { CsatSurveyCount } from '../domain/csat/survey.js';
import { type TimelineItem, TimelineItemSchema } from '../domain/timeline.js';
import { encodeCursor } from './cursor.js';
import { type DynamoDb, sendDynamo, updateItem, updateItemIf } from './dynamo-client.js';
import { csatAnswerIndexKeys } from './params/csat-answers.js';
import { countCsatSurveyInput } from './params/metrics.js';
import { decodeFrom, type Scanner } from './thread-link-notes.js';

type Item = Record<string, unknown>;

/**
 * The first moment the daily counters count the surveys sent and skipped as they happen (the version
 * of 2026-12-06): the surveys before it are the backfill's to count.
 */
export const SURVEYS_COUNTED_FROM = '2026-12-06T00:00:00.000Z';

/** What a run of `count-surveys` did, and where the next run starts (absent: the table is done). */
export type SurveyBackfill = {
  counted: number;
  indexed: number;
  pages: number;
  cursor?: string | undefined;
};

/** One page of the table's survey items: the surveys sent (our replies by `csat`), skipped, and answered. */
export function scanSurveysInput(table: string, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    FilterExpression:
      'entity = :timeline AND (#event IN (:answer, :skipped) OR #data.#author.#id = :csat) AND attribute_exists(conversationId)',
    ExpressionAttributeNames: { '#event': 'event', '#data': 'data', '#author': 'author', '#id': 'id' },
    ExpressionAttributeValues: {
      ':timeline': 'timeline',
      ':answer': 'csat',
      ':skipped': 'csat_skipped',
      ':csat': CSAT_AUTHOR_ID,
    },
    Limit: limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** The daily count a stored survey item stands for: a survey sent (our reply) or skipped (its reason). */
function surveyCount(item: TimelineItem): CsatSurveyCount | undefined {
  const conversationId = item.conversationId;
  if (!conversationId) return undefined;
  if (item.event === 'csat_skipped') {
    const reason = item.data?.reason;
    return typeof reason === 'string'
      ? { conversationId, at: item.at, outcome: 'skipped', reason }
      : undefined;
  }
  return item.type === 'message' && item.direction === 'outbound'
    ? { conversationId, at: item.at, outcome: 'sent' }
    : undefined;
}

/**
 * Counts a survey of before SURVEYS_COUNTED_FROM once: first a mark on its item (`surveyCounted`,
 * conditional on none), then its day's counter, as the surveys after it were counted when they went
 * out (a crash between the two loses that count, as it would have then). True when this call counted it.
 */
async function countSurvey(db: DynamoDb, stored: Item, count: CsatSurveyCount): Promise<boolean> {
  const marked = await updateItemIf(db, {
    TableName: db.table,
    Key: { pk: stored.pk, sk: stored.sk },
    UpdateExpression: 'SET surveyCounted = :yes',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(surveyCounted)',
    ExpressionAttributeValues: { ':yes': true },
  });
  if (marked) await updateItem(db, countCsatSurveyInput(db.table, count));
  return marked;
}

/** Puts a survey answer recorded before the list of answers in that list's index (`csatAnswerIndexKeys`). */
async function indexAnswer(db: DynamoDb, stored: Item, item: TimelineItem): Promise<boolean> {
  const keys = csatAnswerIndexKeys(item);
  if (!keys || stored.gsi1pk !== undefined) return false;
  return updateItemIf(db, {
    TableName: db.table,
    Key: { pk: stored.pk, sk: stored.sk },
    UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi1pk)',
    ExpressionAttributeValues: { ':pk': keys.gsi1pk, ':sk': keys.gsi1sk },
  });
}

/**
 * The upgrade's one-off backfill for the survey figures: the surveys sent and skipped before the
 * counters counted them (before `countedFrom`) are added to the counters of their day, each once
 * (its item marked), so `csat.sent` and `csat.responseRate` cover a range over those days; and the
 * answers recorded before `GET /api/csat/responses` are put in its index. Reads the whole table once (a
 * Scan, filtered to the survey items, `limit` items a page, at most `pages` pages from `from`).
 * Idempotent and resumable from the cursor it answers.
 */
export async function countSurveys(
  db: DynamoDb,
  scan: Scanner,
  options: { from?: string | undefined; limit: number; pages?: number | undefined; countedFrom?: string },
): Promise<SurveyBackfill> {
  const countedFrom = options.countedFrom ?? SURVEYS_COUNTED_FROM;
  const done: SurveyBackfill = { counted: 0, indexed: 0, pages: 0 };
  let startKey = options.from ? decodeFrom(options.from) : undefined;
  do {
    const out = await sendDynamo('Scan', () => scan(scanSurveysInput(db.table, options.limit, startKey)));
    for (const stored of out.Items ?? []) {
      const parsed = TimelineItemSchema.safeParse(stored);
      if (!parsed.success) continue;
      const item = parsed.data;
      if (item.event === 'csat') {
        if (await indexAnswer(db, stored, item)) done.indexed += 1;
        continue;
      }
      const count = surveyCount(item);
      if (count && count.at < countedFrom && stored.surveyCounted === undefined) {
        if (await countSurvey(db, stored, count)) done.counted += 1;
      }
    }
    done.pages += 1;
    startKey = out.LastEvaluatedKey;
  } while (startKey && (options.pages === undefined || done.pages < options.pages));
  return { ...done, cursor: encodeCursor(startKey) ?? undefined };
}
