import { mailDigest, threadId } from '../domain/conversation.js';
import type { Envelope } from '../domain/envelope.js';
import type { ResolverStore } from '../domain/resolver-ports.js';

/** The resolver's log line (its level, message and fields). */
type ReceiptLog = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

/**
 * Whether this email is a second receipt of a mail another envelope brought first (an alias that
 * forwards to support@, one mail to two of the business's addresses): the same Message-ID, customer
 * and digest (`mailDigest`). The first envelope's claim on the Message-ID wins; its own retries find
 * their own claim. Mail without a Message-ID, or another mail reusing one, is never merged.
 */
export async function isAnotherReceipt(
  deps: { store: Pick<ResolverStore, 'claimMail'>; log?: ReceiptLog | undefined },
  envelope: Envelope,
  customerId: string,
): Promise<boolean> {
  const digest = mailDigest(envelope);
  const messageId = threadId(envelope);
  if (!digest || !messageId) return false;
  const kept = await deps.store.claimMail(messageId, { envelopeId: envelope.id, customerId, digest });
  const another = kept.envelopeId !== envelope.id && kept.customerId === customerId && kept.digest === digest;
  if (another)
    deps.log?.('info', 'another receipt of a mail already received', { customerId, channel: 'email' });
  return another;
}
