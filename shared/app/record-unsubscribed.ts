import type { StatusEnvelope } from '../domain/envelope.js';
import type { OutboundMessage } from '../domain/outbound.js';
import { businessPhone, businessPhoneOf } from '../domain/resolution.js';
import type { ContactState, ResolverStore } from '../domain/resolver-ports.js';
import { unsubscribedState } from '../domain/sms-opt-out.js';
import type { PlacedTimelineItem } from '../domain/timeline.js';

type ContactWriter = { setContactState?: ResolverStore['setContactState'] | undefined };

/**
 * A reply's `failed` status that says the customer texted STOP (Twilio's 21610): their number's contact
 * state records the opt-out toward the number of ours it went from, at the reply's time (`unsubscribedState`). Asked on every delivery of the
 * status (the store answers the failed reply each time), so a retry after a crash before it writes it.
 */
export async function recordUnsubscribedStatus(
  store: ContactWriter,
  envelope: StatusEnvelope,
  failed: PlacedTimelineItem,
): Promise<void> {
  const to = failed.item.to ?? envelope.customer;
  const codes = (envelope.errors ?? []).map((error) => error.code);
  // Twilio's status names the number it went from (`From`, the envelope's account).
  const from = businessPhoneOf(envelope);
  const state = unsubscribedState({ channel: envelope.channel, codes, from }, failed.item.at, envelope.id);
  if (to && state) await store.setContactState?.(to, { ...state, customerId: failed.item.customerId });
}

/**
 * A reply Twilio refused at the send with 21610: the same opt-out, before the failure is recorded (a
 * crash between the two leaves the reply to be sent again, refused again, and written again).
 */
export async function recordUnsubscribedSend(
  store: ContactWriter,
  message: OutboundMessage,
  providerCode: string | undefined,
): Promise<ContactState | undefined> {
  const codes = providerCode ? [providerCode] : [];
  // Sent from the reply's number when it names one (else the configured number, not known here).
  const from = businessPhone(message.from?.trim());
  const state = unsubscribedState(
    { channel: message.channel, codes, from },
    message.at,
    `reply:${message.id}`,
  );
  if (state) await store.setContactState?.(message.to, { ...state, customerId: message.customerId });
  return state;
}
