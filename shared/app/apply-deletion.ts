import type { DeletionOutcome } from '../domain/deletion.js';
import type { Envelope, Identity } from '../domain/envelope.js';
import type { ResolverStore } from '../domain/resolver-ports.js';
import { loggedId } from '../log.js';

type DeleteEnvelope = Extract<Envelope, { kind: 'edit' | 'delete' }>;

/**
 * Applies a customer's deletion of one of their messages (`now`: when it was received; `identity`: the
 * one it came from, as resolved): the stored message loses its words, or is stored so when it comes. A
 * deletion naming another customer's message changes nothing and is logged (ids only).
 */
export async function redactDeleted(
  deps: {
    store: Pick<ResolverStore, 'deleteMessage'>;
    log?: ((level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void) | undefined;
  },
  envelope: DeleteEnvelope,
  who: { customerId: string; identity: Identity },
  now: string,
): Promise<DeletionOutcome> {
  const { channel, targetMessageId } = envelope;
  const { customerId, identity } = who;
  const outcome = await deps.store.deleteMessage({ channel, targetMessageId, customerId, identity, at: now });
  if (outcome === 'not-theirs') {
    deps.log?.('warn', "a deletion names another customer's message: nothing redacted", {
      channel,
      customerId,
      targetMessageId: loggedId(targetMessageId),
    });
  }
  return outcome;
}
