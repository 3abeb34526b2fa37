import { en } from 'zod/locales';
import { config } from 'zod/mini';
// Named, not `z.core.$ZodError`: through the namespace esbuild keeps all of zod core and every locale.
import { $ZodError } from 'zod/v4/core';
import { providerPhone } from '../domain/addresses.js';
import { type Envelope, type EnvelopeInput, EnvelopeParser, type Identity } from '../domain/envelope.js';
import { ValidationError } from '../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../validation/json-depth.js';
import { hasVisibleText } from '../validation/visible-text.js';
import { boundEnvelope } from './bounded-envelope.js';

// zod/mini loads no messages of its own; rejections are logged by path and message, so load English.
config(en());

/** What a normaliser of a webhook body needs besides the body. */
export interface BodyContext {
  /** When our webhook received the body (ISO 8601 UTC). */
  receivedAt: string;
  /** Hex SHA-256 of the raw body: the stem of every `rawRef` and of ids the provider did not give. */
  bodySha256: string;
}

/** An item of a body that could not become an envelope, located by JSON pointer. */
export interface Rejection {
  pointer: string;
  reason: string;
}

/** The envelopes of one provider body, plus what was skipped so the caller can log it. */
export interface Normalised {
  envelopes: Envelope[];
  rejected: Rejection[];
  /** Items kept with a field cut to fit (see boundEnvelope): `reason` names the fields, for the log. */
  cut?: Rejection[];
}

/** A reason to skip one item of a body; caught by `collect`, never leaves a normaliser. */
export class RejectedItem extends Error {
  override name = 'RejectedItem';
}

/**
 * Runs one item's conversion and validates its envelopes; a schema failure or a RejectedItem costs
 * that item only, any other error (a bug) propagates. A customer's message that shows nothing (see
 * showsNothing) is skipped as `empty`, as Twilio skips an empty SMS. An over-long text is cut with a
 * mark (boundEnvelope) and noted in `cut`.
 */
export function collect(out: Normalised, pointer: string, build: () => EnvelopeInput[]): void {
  try {
    for (const input of build()) {
      const parsed = EnvelopeParser.parse(input);
      if (showsNothing(parsed)) {
        out.rejected.push({ pointer, reason: 'empty' });
        continue;
      }
      // An over-long text is cut, not lost; one item still too large costs itself, never the batch.
      const { envelope, cut, tooLarge } = boundEnvelope(parsed);
      if (tooLarge !== undefined) {
        out.rejected.push({ pointer, reason: `too large: ${tooLarge} bytes once cut` });
        continue;
      }
      if (cut.length > 0) out.cut = [...(out.cut ?? []), { pointer, reason: `cut: ${cut.join(', ')}` }];
      out.envelopes.push(envelope);
    }
  } catch (error) {
    if (error instanceof $ZodError) rejectInvalid(out, pointer, error);
    else if (error instanceof RejectedItem) out.rejected.push({ pointer, reason: error.message });
    else throw error;
  }
}

/**
 * A customer's text message with nothing visible in it (white space, zero-width characters, controls:
 * see hasVisibleText), no file, and for an email no subject or quoted mail either. It would open a
 * conversation and start its clock for nothing an agent can read. A file with blank text is kept.
 */
function showsNothing(envelope: Envelope): boolean {
  if (envelope.kind !== 'message' || envelope.direction !== 'inbound') return false;
  if (envelope.contentType !== 'text' || envelope.attachments.length > 0) return false;
  if (hasVisibleText(envelope.text)) return false;
  const { subject, fullText } = envelope.data ?? {};
  return !(typeof subject === 'string' && hasVisibleText(subject)) && typeof fullText !== 'string';
}

/** Records a schema failure. Reasons name paths and rules, never values: values are personal data. */
export function rejectInvalid(out: Normalised, pointer: string, error: $ZodError): void {
  out.rejected.push({ pointer, reason: issuesOf(error) });
}

/** The first three issues of a schema failure, by path and rule (never by value). */
function issuesOf(error: $ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** `optional` lives in its own module so that readers of a mail (mail-content.ts) need not bundle this one. */
export { optional } from './optional.js';

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a provider's phone field must look like before it is read as a number: digits, perhaps a
 * leading `+` and a national format's punctuation. A BSUID in the wrong field, a group id, a short
 * code, `client:` or `anonymous` are not phones.
 */
export const PHONE_LIKE = /^\+?\d[\d ()-]{4,30}$/;

/** The phone identity in a provider's field (see `providerPhone` for `options`), if it holds one. */
export function phoneIdentity(
  raw: string | undefined,
  options: { international?: boolean } = {},
): Identity | undefined {
  const trimmed = raw?.trim();
  if (!trimmed || !PHONE_LIKE.test(trimmed)) return undefined;
  const value = providerPhone(trimmed, options);
  return value ? { kind: 'phone', value } : undefined;
}

/** The defined identities, each once (by kind and value), in order: a customer and the rest of their ids. */
export function uniqueIdentities(identities: (Identity | undefined)[]): Identity[] {
  // A handful at most: comparing with those kept beats building a set of keys.
  const kept: Identity[] = [];
  for (const identity of identities) {
    if (identity && !kept.some((k) => k.kind === identity.kind && k.value === identity.value)) {
      kept.push(identity);
    }
  }
  return kept;
}

/** A parser's answer, as `hot()` and zod give it. */
type SafeParse<T> = (value: unknown) => { success: true; data: T } | { success: false; error: $ZodError };

/** Meta batches at most 1,000 updates (entries) per request (providers.md §2.3). */
export const MAX_META_ENTRIES = 1_000;
/**
 * The most items (events, changes, messages, statuses, errors) one Meta body may give per-item work:
 * an update carries about one (Messenger sends one event per entry), so twice Meta's batch.
 */
export const MAX_META_ITEMS = 2_000;

/** How a Meta product's body is read: its shells, and how many items a raw entry holds. */
export interface MetaShells<E> {
  body: SafeParse<{ entry: unknown[] }>;
  entry: SafeParse<E>;
  /** Counted on the raw entry, before anything in it is parsed. */
  items: (entry: unknown) => number;
}

/**
 * Calls `each` with every entry of a Meta webhook body (WhatsApp, Messenger, Instagram) that parses,
 * in body order, so rejections keep their order. A body that is not the provider's shape (nested
 * deeper than the bound, no `entry` array) or holds more than MAX_META_ENTRIES entries or
 * MAX_META_ITEMS items is refused whole (ValidationError, 400) before any item is looked at; an entry
 * that does not parse is reported in `out.rejected`.
 */
export function forEachMetaEntry<E>(
  payload: unknown,
  shells: MetaShells<E>,
  out: Normalised,
  each: (entry: E, index: number) => void,
): void {
  if (nestsDeeperThan(payload, MAX_JSON_DEPTH)) {
    throw new ValidationError(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const body = shells.body(payload);
  if (!body.success) throw new ValidationError(`not a webhook body (${issuesOf(body.error)})`);
  const { entry } = body.data;
  if (entry.length > MAX_META_ENTRIES) {
    throw new ValidationError(`${entry.length} entries, over the ${MAX_META_ENTRIES} Meta batches at most`);
  }
  let items = 0;
  for (const raw of entry) items += shells.items(raw);
  if (items > MAX_META_ITEMS) {
    throw new ValidationError(`${items} items, over the ${MAX_META_ITEMS} one body may hold`);
  }
  entry.forEach((raw, i) => {
    const parsed = shells.entry(raw);
    if (parsed.success) each(parsed.data, i);
    else rejectInvalid(out, `/entry/${i}`, parsed.error);
  });
}

/** The length of `value[key]` when it is an array, else 0: counts items without parsing them. */
export function lengthOf(value: unknown, key: string): number {
  if (!isRecord(value)) return 0;
  const list = value[key];
  return Array.isArray(list) ? list.length : 0;
}

/** The array at `value[key]`, or none. */
export function listOf(value: unknown, key: string): readonly unknown[] {
  if (!isRecord(value)) return [];
  const list = value[key];
  return Array.isArray(list) ? list : [];
}

/** How many rejections one log line names; the line counts them all. */
export const LOGGED_REJECTIONS = 5;

/**
 * The one log line's fields for the items a body's normaliser skipped: how many, and the first few
 * by pointer and reason (never by value), so a body of many bad items costs one line.
 */
export function rejectionSummary(rejected: readonly Rejection[]): { rejected: number; first: Rejection[] } {
  return { rejected: rejected.length, first: rejected.slice(0, LOGGED_REJECTIONS) };
}

/** The one log line's fields for the items kept with a field cut to fit: how many, and the first few. */
export function cutSummary(cut: readonly Rejection[]): { cut: number; first: Rejection[] } {
  return { cut: cut.length, first: cut.slice(0, LOGGED_REJECTIONS) };
}
