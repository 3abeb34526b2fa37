import { DELETION_RELOOK_DELAY_S } from '../domain/deletion.js';
import { editsHeld, type HeldEditStore } from '../domain/edits.js';
import type { Envelope } from '../domain/envelope.js';
import type { EnvelopeQueue } from '../domain/ports.js';
import { toTimelineItem } from '../domain/resolution.js';
import type { PlacedItem } from '../domain/resolver-ports.js';
import { routableKind } from '../domain/routing/routable.js';
import type { TimelineItem } from '../domain/timeline.js';
import { loggedId } from '../log.js';
import type { Resolving } from './identity-evidence.js';

type Log = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

/**
 * The timeline item of the event, in its conversation: a customer's message with the text of an edit of
 * it that came first and was held for it (asked only while its identity is marked and the message is
 * timed before that edit), so that it is stored, told (`message.received`) and routed with that text.
 * A message or voicemail to route carries `storedAt`, this delivery's time: the one that writes it
 * routes it next, so it is when its routing first begins (the AI's patience counts from it).
 */
export async function itemToPlace(
  store: HeldEditStore,
  resolving: Resolving,
  conversationId: string,
): Promise<TimelineItem> {
  const made = toTimelineItem(resolving.envelope, resolving.customerId, conversationId);
  const item = routableKind(made) ? { ...made, storedAt: resolving.now } : made;
  if (!store.withEditHeld || !editsHeld(resolving.envelope, resolving.editHeldAt)) return item;
  return store.withEditHeld(item);
}

/**
 * Whether the placement of a customer's edit refused it: it names a message linked to another
 * customer, and nothing is done. Logged (ids only), as an edit held for its message is; a held edit is
 * queued again for one later look (`DELETION_RELOOK_DELAY_S`, `markedAt` its first time), as a deletion
 * that came first is: a message of the same sender processed at the same moment, which read its identity
 * before the edit's mark and was written after the edit's looks, is found then and the edit released.
 */
export async function editRefused(
  deps: { log?: Log | undefined; requeue?: EnvelopeQueue | undefined },
  envelope: Envelope,
  placed: PlacedItem,
): Promise<boolean> {
  if (envelope.kind !== 'edit' || (!placed.notTheirs && !placed.held)) return false;
  const fields = {
    customerId: placed.customerId,
    channel: envelope.channel,
    providerMessageId: loggedId(envelope.providerMessageId),
    targetMessageId: loggedId(envelope.targetMessageId),
  };
  if (placed.notTheirs) {
    deps.log?.('warn', "an edit names another customer's message: nothing changed", fields);
    return true;
  }
  deps.log?.('info', 'an edit came before its message (or names another’s): held for it', fields);
  if (envelope.markedAt === undefined && deps.requeue) {
    const delaySeconds = DELETION_RELOOK_DELAY_S;
    await deps.requeue.enqueue([{ ...envelope, markedAt: placed.at }], { delaySeconds });
  }
  return false;
}
