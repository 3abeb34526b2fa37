import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Identity } from '../domain/envelope.js';
import type { SuggestionEvidence } from '../domain/suggestions.js';
import { type Suggestion, SuggestionSchema } from '../domain/suggestions.js';
import { NotFoundError } from '../errors.js';
import { type DynamoDb, queryItems, updateItem, updateItemIf } from './dynamo-client.js';
import { queryAll, queryPage } from './paging.js';
import {
  type EvidencePhase,
  MENTIONERS_MAX,
  putMentionInput,
  putSuggestionInput,
  queryMentionersInput,
  queryMentionsInput,
  querySuggestionsInput,
  setSuggestionStatusInput,
} from './params/suggestions.js';

const EvidenceSetSchema = z
  .union([z.set(z.string()), z.array(z.string())])
  .transform((v) => [...v].sort().map((json) => JSON.parse(json) as SuggestionEvidence));

const MentionItemSchema = z.object({ customerId: z.string(), evidence: EvidenceSetSchema });

const SuggestionItemSchema = z
  .looseObject({
    customerId: z.string(),
    otherId: z.string(),
    status: z.enum(['open', 'dismissed', 'accepted']),
    createdAt: z.string(),
    evidence: EvidenceSetSchema,
    moreEvidence: z.number().optional(),
  })
  .transform((item) =>
    SuggestionSchema.parse({
      customerId: item.customerId,
      otherId: item.otherId,
      status: item.status,
      createdAt: item.createdAt,
      evidence: item.evidence,
      ...(item.moreEvidence ? { moreEvidence: item.moreEvidence } : {}),
    }),
  );

/** Adds evidence to an item's bounded set, or only counts it when the set is full. */
async function addEvidence(db: DynamoDb, input: (phase: EvidencePhase) => UpdateCommandInput): Promise<void> {
  if (await updateItemIf(db, input('add'))) return;
  await updateItem(db, input('count'));
}

/**
 * The first `limit` customers who mentioned an identity, each with the first piece of its evidence:
 * one strongly consistent Query of at most `limit` items.
 */
async function mentionersOf(
  db: DynamoDb,
  identity: Identity,
  limit: number,
): Promise<Array<{ customerId: string; evidence: SuggestionEvidence | undefined }>> {
  const out = await queryItems(db, queryMentionersInput(db.table, identity, limit));
  return (out.Items ?? []).map((item) => {
    const mention = MentionItemSchema.parse(item);
    return { customerId: mention.customerId, evidence: mention.evidence[0] };
  });
}

/** Sets the status of the suggestion on both profiles; false when there is none on either. */
async function setSuggestionStatus(
  db: DynamoDb,
  a: string,
  b: string,
  status: 'accepted' | 'dismissed' | 'open',
): Promise<boolean> {
  let any = false;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    any = (await updateItemIf(db, setSuggestionStatusInput(db.table, x, y, status))) || any;
  }
  return any;
}

/**
 * Mentions (a customer named someone else's phone or email) and the merge suggestions they raise,
 * kept on both profiles; agents accept them by merging or dismiss them.
 */
export function suggestionRepository(
  db: DynamoDb,
  customers: { mergedPartitions(customerId: string): Promise<string[]> },
) {
  /** The suggestion items stored on one profile. */
  const suggestionsOn = async (customerId: string): Promise<Suggestion[]> => {
    const items = await queryAll(db, querySuggestionsInput(db.table, customerId));
    return items.map((item) => SuggestionItemSchema.parse(item));
  };
  return {
    /** Remembers that a customer mentioned an identity. */
    async putMention(identity: Identity, customerId: string, evidence: SuggestionEvidence): Promise<void> {
      await addEvidence(db, (phase) => putMentionInput(db.table, identity, customerId, evidence, phase));
    },
    /** Everyone who mentioned an identity, one entry per piece of evidence. */
    async mentionsOf(
      identity: Identity,
    ): Promise<Array<{ customerId: string; evidence: SuggestionEvidence }>> {
      const out = await queryPage(db, queryMentionsInput(db.table, identity), MENTIONERS_MAX);
      return out.items.flatMap((item) => {
        const mention = MentionItemSchema.parse(item);
        return mention.evidence.map((evidence) => ({ customerId: mention.customerId, evidence }));
      });
    },
    /** The first `limit` customers who mentioned an identity (see `mentionersOf`). */
    mentionersOf: (identity: Identity, limit: number) => mentionersOf(db, identity, limit),
    /** Raises a suggestion on both profiles, or adds evidence to it. */
    async putSuggestion(
      customerId: string,
      otherId: string,
      evidence: SuggestionEvidence,
      now: string,
    ): Promise<void> {
      for (const [a, b] of [
        [customerId, otherId],
        [otherId, customerId],
      ] as const) {
        await addEvidence(db, (phase) => putSuggestionInput(db.table, a, b, evidence, now, phase));
      }
    },
    /**
     * The merge suggestions for a customer as agents see them: those on the customer and on everyone
     * merged with them, leaving out suggestions between customers who are already one.
     */
    async suggestions(customerId: string): Promise<Suggestion[]> {
      const partitions = await customers.mergedPartitions(customerId);
      const inside = new Set(partitions);
      const all = await Promise.all(partitions.map((id) => suggestionsOn(id)));
      return all.flat().filter((s) => !inside.has(s.otherId));
    },
    suggestionsOn,
    /** Marks the suggestion between two customers accepted (they were merged), if there is one. */
    async acceptSuggestion(customerId: string, otherId: string): Promise<void> {
      await setSuggestionStatus(db, customerId, otherId, 'accepted');
    },
    /**
     * Opens again, on both profiles, the suggestion between two customers an unmerge parted, if it was
     * accepted (a dismissed one stays so): two conditional writes, none of them when there is none.
     */
    async reopenSuggestion(customerId: string, otherId: string): Promise<void> {
      await setSuggestionStatus(db, customerId, otherId, 'open');
    },
    /** Dismisses a merge suggestion on both profiles; later evidence does not reopen it. */
    async dismissSuggestion(customerId: string, otherId: string): Promise<void> {
      if (!(await setSuggestionStatus(db, customerId, otherId, 'dismissed'))) {
        throw new NotFoundError(`no suggestion between ${customerId} and ${otherId}`);
      }
    },
  };
}

/** The suggestion repository's methods. */
export type SuggestionRepository = ReturnType<typeof suggestionRepository>;
