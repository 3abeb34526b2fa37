import type { PutCommandInput, QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { type CarriedNumber, mergedTagEntries, type TargetAtMerge } from '../../domain/merges.js';
import { Keys } from '../keys.js';
import { queryTimelineInput } from './timeline.js';

/**
 * The `<attribute> :<name>` clauses of an ADD or DELETE of string sets, and their values (as sets), for
 * the lists that are not empty: DynamoDB holds no empty set. `name` defaults to the attribute's.
 */
function setClauses(sets: Array<[attribute: string, list: readonly string[], name?: string]>): {
  clauses: string[];
  values: Record<string, unknown>;
} {
  const clauses: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [attribute, list, name = attribute] of sets) {
    if (!list.length) continue;
    clauses.push(`${attribute} :${name}`);
    values[`:${name}`] = new Set(list);
  }
  return { clauses, values };
}

/**
 * Step 1 of a merge: the target lists the source, so its timeline reads include it at once, and takes
 * the source's tags it lacks (`carriedTags`, see `tagsToCarry`), noting each in `mergedTags` in the
 * same write, so an unmerge takes back exactly those. A merge asked again once the source points to the
 * target does not come here: a tag an agent took off since stays off.
 */
export function addMergedFromInput(
  table: string,
  targetId: string,
  sourceId: string,
  carriedTags: readonly string[] = [],
): UpdateCommandInput {
  const { clauses, values } = setClauses([
    ['tags', carriedTags],
    ['mergedTags', mergedTagEntries(sourceId, carriedTags), 'entries'],
  ]);
  Object.assign(values, { ':source': new Set([sourceId]), ':customer': 'customer' });
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: `ADD ${['mergedFrom :source', ...clauses].join(', ')}`,
    ConditionExpression: 'entity = :customer AND attribute_not_exists(mergedInto)',
    ExpressionAttributeValues: values,
  };
}

/**
 * Step 2 of a merge: the source points to the target, unless it points anywhere already. Not when it
 * points to this target either: two calls at once would both pass and each write its own time (and a
 * `merge` event keyed on it); the one that fails completes the merge from the time the source keeps.
 * With `before`, the target's channels and times as the merge read them (`targetAtMerge`, for the unmerge).
 *
 * Two opposite merges at once (J into L, L into J) each list the other first (step 1), then each points
 * its source: the two writes are on two items, so each condition alone let both land, a cycle. The
 * merge whose target sorts after its source yields: its pointer is also conditional on the source not
 * listing the target (`mergedFrom`, step 1 of the opposite merge), while the other's is not. Whatever the
 * order of the four writes, exactly one merge lands: the yielding one fails here once the other listed
 * its target, and the other fails at its step 1 (the target points elsewhere) once the yielding one
 * pointed first. The same list the merge refuses on a read (`mergeConflict`), held at the write.
 * Answers the profile as written (`mergedFrom`: whether the merge must look for a ring, see `closesRing`).
 */
export function pointMergedIntoInput(
  table: string,
  sourceId: string,
  targetId: string,
  by: { agentId: string; now: string },
  before?: TargetAtMerge,
): UpdateCommandInput {
  const values: Record<string, unknown> = { ':target': targetId, ':now': by.now, ':agent': by.agentId };
  if (before) values[':before'] = before;
  return {
    TableName: table,
    Key: Keys.customer(sourceId),
    UpdateExpression: `SET mergedInto = :target, mergedAt = :now, mergedBy = :agent${before ? ', targetAtMerge = :before' : ''}`,
    ConditionExpression: yieldsToOpposite(sourceId, targetId)
      ? 'attribute_not_exists(mergedInto) AND NOT contains(mergedFrom, :target)'
      : 'attribute_not_exists(mergedInto)',
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  };
}

/** Whether a merge of `sourceId` into `targetId` yields to the opposite one asked at once (see step 2). */
export function yieldsToOpposite(sourceId: string, targetId: string): boolean {
  return targetId > sourceId;
}

/**
 * Step 3 of a merge: one of the source's identities resolves to the target (`to: 'target'`). An unmerge
 * points it back to the source (`to: 'source'`), only from the target, and marks it `unmergedFrom`: the
 * resolver then knows that items of its messages may be in the target's partition.
 */
export function pointIdentityInput(
  table: string,
  token: string,
  merge: { sourceId: string; targetId: string },
  to: 'target' | 'source',
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.identityByToken(token),
    ...(to === 'target'
      ? {
          UpdateExpression: 'SET customerId = :target, mergedFrom = :source',
          ConditionExpression: 'customerId = :source OR customerId = :target',
        }
      : {
          UpdateExpression: 'SET customerId = :source, unmergedFrom = :target REMOVE mergedFrom',
          ConditionExpression: 'customerId = :target',
        }),
    ExpressionAttributeValues: { ':target': merge.targetId, ':source': merge.sourceId },
  };
}

/** Step 4 of a merge: the target shows the source's identities and channels; nothing when both are empty. */
export function addMergedIdentitiesInput(
  table: string,
  targetId: string,
  source: { identities: readonly string[]; channels: readonly string[] },
): UpdateCommandInput | undefined {
  const { clauses: adds, values } = setClauses([
    ['identities', source.identities],
    ['channels', source.channels],
  ]);
  if (!adds.length) return undefined;
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: `ADD ${adds.join(', ')}`,
    ExpressionAttributeValues: values,
  };
}

/**
 * Merge: the target keeps a number the source last wrote from (see `carriedNumbers`), only while the
 * target's own last message on the channel is older, so a retry writes the same and a message the
 * target took since keeps its own number.
 */
export function carryNumberInput(
  table: string,
  targetId: string,
  carried: CarriedNumber,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: 'SET #number = :number',
    ConditionExpression: 'entity = :customer AND (attribute_not_exists(#at) OR #at < :at)',
    ExpressionAttributeNames: { '#number': carried.attribute, '#at': carried.timeAttribute },
    ExpressionAttributeValues: { ':customer': 'customer', ':number': carried.number, ':at': carried.at },
  };
}

/**
 * Unmerge: the target drops the reply address on `attribute` (`whatsappAddress`, `smsAddress`) when it is
 * one of the source's numbers (`addresses`, see `numbersOf`), which it no longer shows: a merge carried
 * it there, or the source's messages while merged wrote it; any other it keeps. Conditional: a retry
 * removes nothing more. Undefined when the source has no number.
 */
export function dropAddressInput(
  table: string,
  targetId: string,
  attribute: 'whatsappAddress' | 'smsAddress',
  addresses: readonly string[],
): UpdateCommandInput | undefined {
  if (addresses.length === 0) return undefined;
  const values: Record<string, unknown> = {};
  addresses.forEach((address, i) => {
    values[`:a${i}`] = address;
  });
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: 'REMOVE #address',
    ConditionExpression: `#address IN (${Object.keys(values).join(', ')})`,
    ExpressionAttributeNames: { '#address': attribute },
    ExpressionAttributeValues: values,
  };
}

/**
 * Unmerge: the target no longer holds the survey a merge carried to it from the source, only while
 * the one it holds asks about one of the source's conversations (a newer survey of its own stays).
 */
export function dropCarriedCsatPendingInput(
  table: string,
  targetId: string,
  conversationIds: readonly string[],
): UpdateCommandInput | undefined {
  if (conversationIds.length === 0) return undefined;
  const values: Record<string, unknown> = {};
  conversationIds.forEach((id, i) => {
    values[`:c${i}`] = id;
  });
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: 'REMOVE csatPending',
    ConditionExpression: `csatPending.conversationId IN (${Object.keys(values).join(', ')})`,
    ExpressionAttributeValues: values,
  };
}

/**
 * Unmerge: the target no longer lists the source nor shows its identities, nor has the tags the merge
 * gave it (`takeBack`, see `tagsToTakeBack`). A merge that lost its source to another target meanwhile
 * takes back the same way what its step 1 wrote (no identity).
 */
export function removeMergedFromInput(
  table: string,
  targetId: string,
  sourceId: string,
  identities: readonly string[],
  takeBack: { tags: readonly string[]; entries: readonly string[] } = { tags: [], entries: [] },
): UpdateCommandInput {
  const { clauses, values } = setClauses([
    ['identities', identities],
    ['tags', takeBack.tags],
    ['mergedTags', takeBack.entries, 'entries'],
  ]);
  const deletes = ['mergedFrom :source', ...clauses];
  values[':source'] = new Set([sourceId]);
  return {
    TableName: table,
    Key: Keys.customer(targetId),
    UpdateExpression: `DELETE ${deletes.join(', ')}`,
    ExpressionAttributeValues: values,
  };
}

/**
 * An unmerge's first write: the root of the target's merged group notes the source being unmerged
 * (`unmergingSources`), only while no erasure has marked it. An erasure marks the root first and only
 * while it notes no unmerge, so of the two, whichever writes first goes on and the other is refused.
 */
export function claimUnmergeInput(table: string, rootId: string, sourceId: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(rootId),
    UpdateExpression: 'ADD unmergingSources :source',
    ConditionExpression: 'entity = :customer AND attribute_not_exists(erasingSince)',
    ExpressionAttributeValues: { ':source': new Set([sourceId]), ':customer': 'customer' },
  };
}

/** The unmerge is over (its source no longer `unmergingFrom`): the root stops noting it. */
export function releaseUnmergeInput(table: string, rootId: string, sourceId: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(rootId),
    UpdateExpression: 'DELETE unmergingSources :source',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':source': new Set([sourceId]) },
  };
}

/**
 * Unmerge: the source stands for itself again, marked `unmergedAt`/`unmergedBy`/`unmergedFrom` (it
 * stood merged once: the resolver keeps its references; a repeated unmerge is answered as done) and
 * `unmergingFrom` until what it sent while merged is back in its
 * partition. Only while it points to the target, so two unmerges at once record one.
 */
export function clearMergedIntoInput(
  table: string,
  merge: { sourceId: string; targetId: string },
  agentId: string,
  now: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(merge.sourceId),
    UpdateExpression:
      'SET unmergedAt = :now, unmergedBy = :agent, unmergedFrom = :target, unmergingFrom = :target REMOVE mergedInto, mergedAt, mergedBy',
    ConditionExpression: 'mergedInto = :target AND attribute_not_exists(erasingSince)',
    ExpressionAttributeValues: { ':now': now, ':agent': agentId, ':target': merge.targetId },
    // The name the source has now: its word entries were written for the one read before.
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * One page of the target's timeline after the sort key `after` (strongly consistent: an item the source
 * sent a moment before the unmerge is read), whole items, to find what came through the source.
 */
export function queryUnmergeScanInput(
  table: string,
  targetId: string,
  after: string | undefined,
  limit: number,
): QueryCommandInput {
  return { ...queryTimelineInput(table, targetId, { limit, after }), ConsistentRead: true };
}

/**
 * Copies a stored item (a timeline item or its raw payload aside) into the source's partition under
 * the same sort key, once, marked `movedFrom` (integrators are not told of it as a new message).
 */
export function putMovedItemInput(
  table: string,
  stored: Record<string, unknown>,
  merge: { sourceId: string; targetId: string },
): PutCommandInput {
  const pk = Keys.customer(merge.sourceId).pk;
  const timeline = stored.entity === 'timeline';
  return {
    TableName: table,
    Item: {
      ...stored,
      pk,
      ...(timeline ? { customerId: merge.sourceId, movedFrom: merge.targetId } : {}),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/**
 * Points a provider reference (`MESSAGE#...`) of a moved item at the source, only while it names the
 * target: a redelivery of the message then finds it in the source's partition, statuses follow it.
 */
export function pointReferenceInput(
  table: string,
  key: { pk: string; sk: string },
  merge: { sourceId: string; targetId: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'SET customerId = :source',
    ConditionExpression: 'customerId = :target',
    ExpressionAttributeValues: { ':source': merge.sourceId, ':target': merge.targetId },
  };
}

/**
 * Keeps where a paused unmerge stopped reading the target's timeline, and whose each conversation it
 * read is (`unmergeOwners`: the next call moves the thread links of the source's), while it is still
 * under way.
 */
export function saveUnmergeProgressInput(
  table: string,
  merge: { sourceId: string; targetId: string },
  after: string,
  owners: Readonly<Record<string, string>>,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(merge.sourceId),
    UpdateExpression: 'SET unmergeCursor = :after, unmergeOwners = :owners',
    ConditionExpression: 'unmergingFrom = :target',
    ExpressionAttributeValues: { ':after': after, ':owners': owners, ':target': merge.targetId },
  };
}

/** The unmerge is over: everything that came through the source is back in its partition. */
export function finishUnmergeInput(
  table: string,
  merge: { sourceId: string; targetId: string },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.customer(merge.sourceId),
    UpdateExpression: 'REMOVE unmergingFrom, unmergeCursor, unmergeOwners',
    ConditionExpression: 'unmergingFrom = :target',
    ExpressionAttributeValues: { ':target': merge.targetId },
  };
}
