import type { ChangeRecord } from '../change-feed.js';
import { START_REASON, STOP_REASON } from '../contact-state.js';
import { ChannelSchema } from '../envelope.js';
import { UNSUBSCRIBED_REASON } from '../sms-opt-out.js';
import { WHATSAPP_STATE } from '../whatsapp-opt-out.js';
import { event, type Image, member, str } from './event-parts.js';
import type { ConsentReason, IntegrationEvent } from './integration-events.js';

/** What a contact state's `reason` tells as: the keywords', Twilio's 21610, an SES bounce's or complaint's. */
export function consentReasonOf(reason: unknown): ConsentReason {
  if (reason === STOP_REASON) return 'stop_keyword';
  if (reason === START_REASON) return 'start_keyword';
  if (reason === UNSUBSCRIBED_REASON) return 'provider_opt_out';
  if (typeof reason === 'string' && reason.startsWith('bounce:')) return 'bounce';
  if (typeof reason === 'string' && reason.startsWith('complaint:')) return 'complaint';
  return 'other';
}

/**
 * `contact.opted_out` and `contact.opted_in` of an address's contact state (`CONTACT#<kind>#<value>`,
 * its own or toward a number of ours) when what it allows changes: written blocking where nothing was
 * or where it allowed (a STOP, Twilio's 21610, an email bounce or complaint), or allowing where it
 * blocked or nothing was (a START: Twilio may hold a STOP we never saw). A state written again the same
 * way (a second STOP; an erasure keeping the block) makes none, and a provider's resend of an old
 * keyword writes nothing (the state's write is conditional on a later time). Keyed on the state's key
 * and the envelope that wrote it (the provider's message), so the change given again makes the same
 * event. Only a state written under a customer (`customerId`): a suppression of a mail we did not send
 * names none.
 */
export function consentEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  const [customerId, address, at] = [str(item.customerId), str(item.value), str(item.at)];
  // A phone number's states are its SMS opt-outs (keywords, Twilio's 21610) and its WhatsApp one (toward
  // `whatsapp`); another address's, its own channel's.
  const phone = item.number === WHATSAPP_STATE ? 'whatsapp' : 'sms';
  const channel = item.kind === 'phone' ? phone : member(ChannelSchema, item.kind);
  if (!customerId || !address || !at || !channel || typeof item.blocked !== 'boolean') return [];
  if (old && old.blocked === item.blocked) return [];
  const type = item.blocked ? 'contact.opted_out' : 'contact.opted_in';
  const key = [record.keys.pk, record.keys.sk, str(item.envelopeId) ?? '', at];
  return [
    event(type, key, at, {
      customerId,
      channel,
      address,
      ourNumber: str(item.number) ?? null,
      reason: consentReasonOf(item.reason),
      at,
    }),
  ];
}
