import type { Envelope, Identity } from './envelope.js';
import { canonicalIdentity, type PhoneOptions, whatsappAddressOf } from './identity.js';

/** What a customer's WhatsApp message tells of where replies go: WhatsApp's id, and the provider. */
export interface WhatsappSender {
  /** The number as WhatsApp writes it (replies go to it): WhatsApp's own id when it is not the identity's key. */
  address: string;
  /** `twilio` when it came through Twilio (Twilio's limits apply to replies), else null. */
  provider: 'twilio' | null;
}

/**
 * For a customer's WhatsApp message from a phone, or a WhatsApp number change, see `WhatsappSender`;
 * undefined for anything else.
 */
export function whatsappSenderOf(
  queued: Envelope,
  phone: PhoneOptions | undefined,
): WhatsappSender | undefined {
  if (queued.channel !== 'whatsapp') return undefined;
  // A number change (`user_changed_number`, Cloud API only): replies go to the new number.
  if (queued.kind === 'system' && queued.newIdentity?.kind === 'phone')
    return { address: asWhatsappWrites(queued.newIdentity, phone), provider: null };
  if (queued.kind !== 'message' || queued.direction !== 'inbound') return undefined;
  if (queued.customer.kind !== 'phone') return undefined;
  return {
    address: asWhatsappWrites(queued.customer, phone),
    provider: queued.provider === 'twilio' ? 'twilio' : null,
  };
}

/** A phone as WhatsApp writes it: its own id when that is not the identity's key form, else the key. */
function asWhatsappWrites(identity: Identity, phone: PhoneOptions | undefined): string {
  return whatsappAddressOf(identity, phone ?? {}) ?? canonicalIdentity(identity, phone).value;
}
