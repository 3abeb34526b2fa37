import type { StatusEnvelope } from './envelope.js';

const PREFIX = 'watermark:';

/**
 * How many partitions a watermark receipt reads: its customer's and those of the customers merged into
 * it, or into one of those (their replies from before the merge stay there). Further ones are not
 * looked in.
 */
export const WATERMARK_MAX_PARTITIONS = 10;

/**
 * How many merges deep a watermark receipt looks: a customer merged into the receipt's customer is one
 * hop, one merged into that one before it was merged on is two. Deeper ones are not looked in (logged).
 */
export const WATERMARK_MAX_MERGE_HOPS = 3;
/** Epoch milliseconds as Meta writes them: digits only, bounded (the id itself is at most 512 characters). */
const EPOCH_MS = /^\d{1,15}$/;

/**
 * The provider id of a receipt that names no message, only a time (Messenger's `read` and a `delivery`
 * without `mids`): everything sent to the customer on the channel at or before it. The customer is part
 * of it so that two customers' receipts of the same millisecond are two envelopes.
 */
export function watermarkMessageId(customer: string, epochMs: number): string {
  return `${PREFIX}${customer}:${epochMs}`;
}

/**
 * The time (ISO 8601) a watermark status covers up to, or undefined for a status that names a message.
 * Only a status with its customer counts: the resolver applies it to that customer's timeline.
 */
export function watermarkOf(envelope: StatusEnvelope): string | undefined {
  const id = envelope.providerMessageId;
  if (!id.startsWith(PREFIX) || !envelope.customer) return undefined;
  const ms = id.slice(id.lastIndexOf(':') + 1);
  if (!EPOCH_MS.test(ms)) return undefined;
  const at = new Date(Number(ms));
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/**
 * Channels whose `read` of one message means the customer saw everything sent before it too: an
 * Instagram `read` names the last message seen (`mid`), not a time. Messenger's read is a watermark.
 */
const READ_UP_TO: ReadonlySet<string> = new Set(['instagram']);

/** Whether a status names a message the customer saw everything up to (see READ_UP_TO). */
export function readsUpTo(envelope: StatusEnvelope): boolean {
  return envelope.status === 'read' && envelope.customer !== undefined && READ_UP_TO.has(envelope.channel);
}
