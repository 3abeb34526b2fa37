import type { DeliveryStatus, EnvelopeInput } from '#shared/domain/envelope.js';
import { watermarkMessageId } from '#shared/domain/watermark.js';
import { optional, RejectedItem } from '../normalised.js';
import { base, businessAct, customerOf, type Event, eventMessage, timeKey } from './event.js';
import { type MetaMessageEdit, type MetaReaction, type MetaReceipt, metaTimeMs } from './schema.js';

/** An edit of a message: the customer's, or the business's own kept as an outbound act. */
export function editEnvelope(e: Event, edit: MetaMessageEdit): EnvelopeInput {
  const key = `edit:${edit.mid}:${edit.num_edit ?? timeKey(e)}`;
  // Meta sends edits by customers only; one by the business is kept, marked, as its own act.
  if (e.sides.byBusiness) return businessAct(e, key, 'edit', { targetMessageId: edit.mid });
  return {
    id: `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'edit',
    providerMessageId: key,
    targetMessageId: edit.mid,
    customer: customerOf(e),
    ...optional('text', edit.text),
  };
}

/** A reaction to a message, or its removal (`unreact`). */
export function reactionEnvelope(e: Event, reaction: MetaReaction): EnvelopeInput {
  // A reaction has no id of its own, and unreact then react again reuses the same mid.
  const key = `reaction:${reaction.mid}:${e.senderKey}:${reaction.action}:${timeKey(e)}`;
  if (e.sides.byBusiness) return businessAct(e, key, 'reaction', { ...reaction });
  // `emoji` absent means removed, so a reaction without the emoji keeps its name (love, like...).
  const emoji = reaction.action === 'unreact' ? undefined : reaction.emoji || reaction.reaction || 'other';
  return {
    id: `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'reaction',
    providerMessageId: key,
    targetMessageId: reaction.mid,
    customer: customerOf(e),
    ...optional('emoji', emoji),
  };
}

/**
 * Delivery and read receipts. Each listed mid gets a status of its own. A bare watermark ("everything
 * sent before this time") names no message, so it becomes one status whose providerMessageId is
 * `watermark:<customer>:<epoch ms>` (`watermarkMessageId`); the resolver applies it to the customer's
 * outbound messages on the channel at or before it (`applyWatermark`).
 */
export function receiptEnvelopes(e: Event, receipt: MetaReceipt, status: DeliveryStatus): EnvelopeInput[] {
  const watermarkMs = receipt.watermark === undefined ? undefined : metaTimeMs(receipt.watermark);
  // Delivery events may have no timestamp; the watermark is then the best time we have.
  const common = base(e, e.timeMs ?? watermarkMs);
  const { customer } = e.sides;
  const mids = receipt.mids?.length ? receipt.mids : receipt.mid ? [receipt.mid] : [];
  if (mids.length > 0) {
    return [...new Set(mids)].map((mid) => ({
      id: `${e.scope.channel}:status:${mid}:${status}`,
      ...common,
      kind: 'status',
      providerMessageId: mid,
      status,
      ...optional('customer', customer),
    }));
  }
  if (watermarkMs === undefined) throw new RejectedItem('receipt without mids or a watermark');
  const providerMessageId = watermarkMessageId(customerOf(e).value, watermarkMs);
  return [
    {
      id: `${e.scope.channel}:status:${providerMessageId}:${status}`,
      ...common,
      kind: 'status',
      providerMessageId,
      status,
      customer: customerOf(e),
    },
  ];
}

const EVENT_FRAME = new Set(['sender', 'recipient', 'timestamp']);

/**
 * Event kinds we do not read as messages (handover: `pass_thread_control`, `take_thread_control`,
 * `request_thread_control`, `app_roles`; `optin`, `account_linking`...): kept, marked, if someone sent
 * them, as a notice (`data.notice`): Meta's news about the thread, not the person's word, so it goes
 * beside the conversation (`goesBeside`) and never makes it wait, reopen or renew a reply window.
 */
export function unknownEventEnvelope(e: Event): EnvelopeInput {
  const kind = (Object.keys(e.event).find((key) => !EVENT_FRAME.has(key)) ?? 'empty').slice(0, 64);
  if (e.event.sender === undefined) throw new RejectedItem(`${kind} event without a sender`);
  return eventMessage(e, `event:${kind}:${e.senderKey}:${timeKey(e)}`, kind, { notice: true });
}
