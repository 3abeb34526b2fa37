import type { Envelope, Identity, SystemEnvelope } from '../domain/envelope.js';
import { contactStateOf } from '../domain/resolution.js';
import type { ResolverStore, SentMessage } from '../domain/resolver-ports.js';
import { loggedId } from '../log.js';

/** An email suppression (a permanent bounce's, a complaint's): it names the address and the mail sent to it. */
export type SuppressionEnvelope = SystemEnvelope & { event: 'suppressed'; customer: Identity };

/** Whether the envelope is an email suppression with its address. */
export function isSuppression(envelope: Envelope): envelope is SuppressionEnvelope {
  return envelope.kind === 'system' && envelope.event === 'suppressed' && envelope.customer !== undefined;
}

/** What deciding where a suppression goes needs. */
export interface SuppressionDeps {
  store: Pick<ResolverStore, 'sentMessage' | 'setContactState'>;
  log?: ((level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void) | undefined;
}

/**
 * Where a suppression goes. It is about a mail we sent (`providerMessageId`: SES's `mail.messageId`,
 * and the reply's key when SES handed the send's tags back), found by that id (`sentMessage`):
 * `attach`, its customer and conversation, where the resolver puts the event, the address's
 * suppression with it; an erasure's marker on that mail: a retry of an erased event, dropped with
 * nothing written (the address's suppression is not written back); no mail of ours: the address's
 * suppression alone (one conditional put), on no timeline. Never a customer of its own: the address
 * (often the Reply-To our reply went to: a second mailbox, a desk) is nobody's identity by it.
 */
export async function suppressionTarget(
  deps: SuppressionDeps,
  envelope: SuppressionEnvelope,
): Promise<{ attach: SentMessage } | { done: { written: boolean } }> {
  const { channel, providerMessageId, replyKey } = envelope;
  const sent = await deps.store.sentMessage({ channel, providerMessageId, replyKey });
  const fields = { channel, providerMessageId: loggedId(providerMessageId) };
  if (sent === 'erased') {
    deps.log?.('info', 'suppression of an erased mail dropped', fields);
    return { done: { written: false } };
  }
  if (sent) return { attach: sent };
  const contact = contactStateOf(envelope);
  if (contact) await deps.store.setContactState(envelope.customer, contact);
  deps.log?.('info', 'suppression recorded for a mail we did not send (no customer)', fields);
  return { done: { written: true } };
}
