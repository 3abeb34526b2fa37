import type { CsatResponse, CsatResponsesPage, CsatResponsesRead } from '../domain/csat/responses.js';
import { ChannelSchema } from '../domain/envelope.js';
import { ValidationError } from '../errors.js';
import { decodeBeforeCursor, encodeCursor } from './cursor.js';
import type { DynamoDb } from './dynamo-client.js';
import { fullItems } from './hydrate.js';
import { SHARDS } from './keys.js';
import { csatAnswersShardInput } from './params/csat-answers.js';
import { mergeShards } from './sharded-query.js';
import { INDEX_KEYS, LIST_INDEX } from './table.js';

type Item = Record<string, unknown>;

/** What an answer's sort key says: the score, whether it has a comment, the agent credited. */
function sortKeyParts(sortKey: string): { score: number; said: boolean; agent: string } | undefined {
  const [, , score, said, agent, ...rest] = sortKey.split('#');
  if (score === undefined || said === undefined || agent === undefined || rest.length) return undefined;
  return { score: Number(score), said: said === '1', agent };
}

/** Whether an index entry passes the page's filters (read from its sort key alone). */
function passes(read: CsatResponsesRead & { before?: string | undefined }, sortKey: string): boolean {
  if (read.before !== undefined && sortKey >= read.before) return false;
  const parts = sortKeyParts(sortKey);
  if (!parts) return false;
  if (read.maxScore !== undefined && parts.score > read.maxScore) return false;
  if (read.withComment !== undefined && parts.said !== read.withComment) return false;
  return read.agent === undefined || parts.agent === read.agent;
}

/** The answer a stored `event: csat` item records (undefined for a damaged one). */
function responseOf(item: Item): Omit<CsatResponse, 'customerName'> | undefined {
  const data = (item.data ?? {}) as Record<string, unknown>;
  const channel = ChannelSchema.safeParse(item.channel);
  const { score, answeredAt, surveyId, comment, agent } = data;
  if (typeof score !== 'number' || typeof answeredAt !== 'string' || typeof surveyId !== 'string') return;
  if (!channel.success || typeof item.customerId !== 'string' || typeof item.conversationId !== 'string')
    return;
  return {
    surveyId,
    conversationId: item.conversationId,
    customerId: item.customerId,
    score,
    ...(typeof comment === 'string' && comment ? { comment } : {}),
    channel: channel.data,
    answeredAt,
    ...(typeof agent === 'string' && agent ? { agent } : {}),
    ai: data.ai === true,
  };
}

/**
 * The place a cursor continues from: an answer's sort key inside the range asked (a cursor of another
 * range, another list's, or one we did not make is a ValidationError, nothing read).
 */
function placeOf(read: CsatResponsesRead): string | undefined {
  const before = decodeBeforeCursor(read.cursor);
  if (before === undefined) return undefined;
  if (!sortKeyParts(before) || before < read.start || before > `${read.end}$`)
    throw new ValidationError('invalid cursor: not a page of these answers');
  return before;
}

/** Rounds of shard queries one page makes at most: past them it ends where every shard was read to. */
export const CSAT_ANSWER_ROUNDS = 3;

/**
 * One page of the survey answers of a span of time, newest first: the answer index's shards, read by
 * a key condition on the span (no day outside it is read), merged and filtered on the entries' sort
 * keys, at most CSAT_ANSWER_ROUNDS rounds (a page that filters most answers out may hold fewer than
 * `limit`, and says where it stopped), then the page's items by key (BatchGetItem).
 */
export async function csatAnswers(db: DynamoDb, asked: CsatResponsesRead): Promise<CsatResponsesPage> {
  const read = { ...asked, before: placeOf(asked) };
  const inputs = Array.from({ length: SHARDS.csatAnswers }, (_, shard) =>
    csatAnswersShardInput(db.table, shard, read),
  );
  const sortKey = (item: Item) => String(item[INDEX_KEYS[LIST_INDEX].sk]);
  const out = await mergeShards(db, inputs, {
    limit: read.limit,
    sortKey,
    keep: (item) => passes(read, sortKey(item)),
    rounds: CSAT_ANSWER_ROUNDS,
    descending: true,
  });
  const last = out.items.at(-1);
  const items = (await fullItems(db, out.items)).flatMap((item) => responseOf(item) ?? []);
  const before = out.through ?? (out.more && last ? sortKey(last) : undefined);
  return { items, cursor: before === undefined ? null : encodeCursor({ before }) };
}
