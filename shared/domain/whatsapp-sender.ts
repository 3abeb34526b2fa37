import type { Envelope } from './envelope.js';
import { type PhoneOptions, whatsappAddressOf } from './identity.js';

/** What a customer's WhatsApp message tells of where replies go: WhatsApp's id, and the provider. */
export interface WhatsappSender {
  /** WhatsApp's own id when it is not the identity's key (replies go to it), else null. */
  address: string | null;
  /** `twilio` when it came through Twilio (Twilio's limits apply to replies), else null. */
  provider: 'twilio' | null;
}

/** For a customer's WhatsApp message from a phone, see `WhatsappSender`; undefined for anything else. */
export function whatsappSenderOf(
  queued: Envelope,
  phone: PhoneOptions | undefined,
): WhatsappSender | undefined {
  if (queued.kind !== 'message' || queued.channel !== 'whatsapp' || queued.direction !== 'inbound')
    return undefined;
  if (queued.customer.kind !== 'phone') return undefined;
  const address = whatsappAddressOf(queued.customer, phone ?? {}) ?? null;
  return { address, provider: queued.provider === 'twilio' ? 'twilio' : null };
}
