import { createHash } from 'node:crypto';
import * as z from 'zod';
import { type Channel, ChannelSchema } from '../domain/envelope.js';
import { ValidationError } from '../errors.js';
import { TIMELINE_PREFIX } from './keys.js';

/** Parses a base64url JSON cursor with a schema; anything we did not make is a ValidationError. */
function decodeWith<T>(schema: z.ZodType<T>, cursor: string): T {
  try {
    if (cursor.length > 4096) throw new Error('too long');
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new ValidationError('invalid cursor', { cause: error });
  }
}

/**
 * What a timeline cursor holds of the customer whose timeline it pages: 16 characters of a hash of
 * their id, not the id (a web-chat visitor merged into another customer is given cursors of that
 * customer's timeline). A cursor made before holds the id itself, still taken.
 */
function ownerTag(customerId: string): string {
  return createHash('sha256').update(`timeline-cursor#${customerId}`).digest('base64url').slice(0, 16);
}

/** Whether a cursor's `of` names this customer (its tag; the id itself in one made before); none: any. */
function pagesOf(of: string | undefined, customerId: string): boolean {
  return of === undefined || of === ownerTag(customerId) || of === customerId;
}

/** An item's place among those of its time (see `Place` in timeline-order.ts), and a count of that time (`seen`). */
const TimePlaceSchema = z.strictObject({
  arrival: z.number().int(),
  sk: z.string().startsWith(TIMELINE_PREFIX).max(2048),
  after: z.number().int().min(0).max(1),
  part: z.number().int().min(0).max(1),
  seen: z.number().int().min(1).max(1_000_000),
});

const TimelineCursorSchema = z.object({
  /** The customer whose timeline the cursor pages (a cursor made before 2026-12-06 has none). */
  of: z.optional(z.string().min(1).max(128)),
  after: z.string().startsWith(TIMELINE_PREFIX).max(2048),
  lastInbound: z.optional(ChannelSchema),
  /**
   * The last item's place among those of its time (see `Place` in timeline-order.ts) and how many of
   * that time were answered up to it (`seen`): the next page reads that time again from its start and
   * answers what is placed after it. A cursor without it (made before) reads after the key `after`.
   */
  place: z.optional(TimePlaceSchema),
});

/** Encodes a timeline cursor: the last sort key returned, its place, and the last inbound channel seen. */
export function encodeTimelineCursor(cursor: z.infer<typeof TimelineCursorSchema>): string {
  const tagged = cursor.of === undefined ? cursor : { ...cursor, of: ownerTag(cursor.of) };
  return Buffer.from(JSON.stringify(tagged)).toString('base64url');
}

/**
 * Decodes a cursor of `customerId`'s timeline; no cursor is the first page. One made for another
 * customer's timeline is a ValidationError: its place and last channel are not this timeline's.
 */
export function decodeTimelineCursor(
  cursor: string | undefined,
  customerId: string,
): Partial<z.infer<typeof TimelineCursorSchema>> & { lastInbound?: Channel } {
  if (!cursor) return {};
  const { of, ...decoded } = decodeWith(TimelineCursorSchema, cursor);
  if (!pagesOf(of, customerId)) {
    throw new ValidationError("invalid cursor: a page of another customer's timeline");
  }
  return decoded;
}

const TimelineBackCursorSchema = z.strictObject({
  /** The customer whose timeline it pages, as `of` of a forward cursor (one made before 2026-12-06 has none). */
  of: z.optional(z.string().min(1).max(128)),
  before: z.string().startsWith(TIMELINE_PREFIX).max(2048),
  /**
   * The oldest item's place among those of its time, and how many of that time were answered from it
   * on (`seen`): the next page reads that time again from its end and answers what is placed before it.
   * Without it (a time read in key order), the next page reads before the key `before`.
   */
  place: z.optional(TimePlaceSchema),
});
type TimelineBackCursor = z.infer<typeof TimelineBackCursorSchema>;

/** Encodes a backwards timeline cursor of `of`'s timeline: the oldest item returned (the next page is older). */
export function encodeTimelineBackCursor(cursor: TimelineBackCursor & { of: string }): string {
  return Buffer.from(JSON.stringify({ ...cursor, of: ownerTag(cursor.of) })).toString('base64url');
}

/**
 * Decodes a backwards timeline cursor of `customerId`'s timeline; no cursor is the newest page. One made
 * for another customer's timeline is a ValidationError, as a forward one is.
 */
export function decodeTimelineBackCursor(
  cursor: string | undefined,
  customerId: string,
): Omit<TimelineBackCursor, 'of'> | Record<string, never> {
  if (!cursor) return {};
  const { of, ...decoded } = decodeWith(TimelineBackCursorSchema, cursor);
  if (!pagesOf(of, customerId)) {
    throw new ValidationError("invalid cursor: a page of another customer's timeline");
  }
  return decoded;
}

/** Encodes a DynamoDB LastEvaluatedKey as an opaque URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

const CursorSchema = z.record(z.string(), z.union([z.string().max(2048), z.number()]));

/** Decodes a cursor; a cursor that was not made by encodeCursor is a ValidationError. */
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  return decodeWith(CursorSchema, cursor);
}

/**
 * The place of a page of a list sorted by `<at>#<id>` or the like (every such key has a `#`): the
 * sort key to continue from, `{before}` for a list read newest first (the customer list, the audit
 * log, a webhook's deliveries), `{after}` for the inbox; that one key and nothing else.
 */
const PlaceKeySchema = z.string().includes('#').max(2048);
const PLACE_CURSORS: Record<'before' | 'after', z.ZodType<Record<string, string>>> = {
  before: z.strictObject({ before: PlaceKeySchema }),
  after: z.strictObject({ after: PlaceKeySchema }),
};

/** Decodes a place cursor of `side` to its sort key; no cursor is the first page; any other is a ValidationError. */
function decodePlaceCursor(cursor: string | undefined, side: keyof typeof PLACE_CURSORS): string | undefined {
  if (!cursor) return undefined;
  return decodeWith(PLACE_CURSORS[side], cursor)[side];
}

/** Decodes a `{before}` cursor to its sort key; no cursor is the newest page; any other is a ValidationError. */
export function decodeBeforeCursor(cursor: string | undefined): string | undefined {
  return decodePlaceCursor(cursor, 'before');
}

/** Decodes an `{after}` cursor (the inbox's) to its sort key; no cursor is the first page; any other is a ValidationError. */
export function decodeAfterCursor(cursor: string | undefined): string | undefined {
  return decodePlaceCursor(cursor, 'after');
}

/**
 * A name search's place: the sort key of the last name entry it passed (none: the names start at the
 * first), and the customers the first page answered by an identity, left out of every later page.
 */
const NameCursorSchema = z.strictObject({
  after: z.string().min(1).max(2048).optional(),
  skip: z.array(z.string().min(1).max(128)).max(16),
});

/** Encodes a name search's place. */
export function encodeNameCursor(cursor: z.infer<typeof NameCursorSchema>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Decodes a name search's place; one that is not of this prefix's names is a ValidationError. */
export function decodeNameCursor(cursor: string, prefixKey: string): z.infer<typeof NameCursorSchema> {
  const decoded = decodeWith(NameCursorSchema, cursor);
  if (decoded.after !== undefined && !decoded.after.startsWith(prefixKey)) {
    throw new ValidationError('invalid cursor: not a page of this search');
  }
  return decoded;
}
