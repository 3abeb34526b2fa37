import { DELETION_RELOOK_DELAY_S, type DeletionOutcome } from '../domain/deletion.js';
import type { Envelope, Identity } from '../domain/envelope.js';
import type { EnvelopeQueue } from '../domain/ports.js';
import type { ResolverStore } from '../domain/resolver-ports.js';
import { loggedId } from '../log.js';

type DeleteEnvelope = Extract<Envelope, { kind: 'edit' | 'delete' }>;

type Log = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

/** What applying a deletion needs. */
export interface DeletionDeps {
  store: Pick<ResolverStore, 'deleteMessage'>;
  /** The resolver's own queue: a deletion that came before its message looks again through it, later. */
  requeue?: EnvelopeQueue | undefined;
  log?: Log | undefined;
}

/**
 * Applies a customer's deletion of one of their messages (`now`: when it was received; `identity`: the
 * one it came from, as resolved): the stored message loses its words, or is stored so when it comes. A
 * deletion naming another customer's message changes nothing and is logged (ids only). One that came
 * before its message (`marked`) is queued again for one later look (`DELETION_RELOOK_DELAY_S`), which
 * keeps its first time (`markedAt`): a message processed at the same moment, which read its identity
 * before the mark and was written after the deletion's looks, is found then and redacted.
 */
export async function redactDeleted(
  deps: DeletionDeps,
  envelope: DeleteEnvelope,
  who: { customerId: string; identity: Identity },
  now: string,
): Promise<DeletionOutcome> {
  const { channel, targetMessageId } = envelope;
  const { customerId, identity } = who;
  const at = envelope.markedAt ?? now;
  const deletion = { channel, targetMessageId, customerId, identity, at, deletedAt: envelope.occurredAt };
  const outcome = await deps.store.deleteMessage(deletion);
  const fields = { channel, customerId, targetMessageId: loggedId(targetMessageId) };
  if (outcome === 'not-theirs') {
    deps.log?.('warn', "a deletion names another customer's message: nothing redacted", fields);
  }
  if (envelope.markedAt !== undefined) {
    deps.log?.('info', 'a deletion looked again for its message', { ...fields, outcome });
  } else if (outcome === 'marked' && deps.requeue) {
    const delaySeconds = DELETION_RELOOK_DELAY_S;
    await deps.requeue.enqueue([{ ...envelope, markedAt: at }], { delaySeconds });
    deps.log?.('info', 'a deletion came before its message: it looks again later', {
      ...fields,
      delaySeconds,
    });
  }
  return outcome;
}

/** Whether the envelope is a deletion's later look (`redactDeleted`): nothing to place, only the deletion. */
export function isLaterLook(envelope: Envelope): envelope is DeleteEnvelope & { markedAt: string } {
  return envelope.kind === 'delete' && envelope.markedAt !== undefined;
}

/** A deletion's later look (`isLaterLook`): the deletion applied again; nothing placed, touched or routed. */
export async function lookAgain(
  deps: DeletionDeps,
  envelope: DeleteEnvelope,
  who: { customerId: string; identity: Identity },
  now: string,
): Promise<{ customerId: string; written: false }> {
  await redactDeleted(deps, envelope, who, now);
  return { customerId: who.customerId, written: false };
}
