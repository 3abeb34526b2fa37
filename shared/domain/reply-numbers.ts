import type { Channel, Identity } from './envelope.js';
import { phoneIdentityKey } from './identity.js';
import type { OutboundMessage } from './outbound.js';
import type { Customer } from './timeline.js';

/**
 * The number the customer last wrote from on WhatsApp (`whatsappAddress`, as WhatsApp writes it:
 * Brazil's ninth digit, Mexico's 1, Argentina's 9) or by SMS (`smsAddress`), across their merged
 * profiles (each keeps its own, with its channel's last inbound time): the one of the latest message.
 * Only a number the customer still shows counts: not one an unmerge took back, nor the old number of
 * a WhatsApp number change. Undefined on other channels, or when no profile keeps one.
 */
export function lastNumberOn(
  customer: Customer,
  profiles: readonly Customer[],
  channel: Channel,
): string | undefined {
  if (channel !== 'whatsapp' && channel !== 'sms') return undefined;
  return latestNumbers(customer, profiles, channel)?.number;
}

/**
 * Our number the customer last texted (`smsBusinessNumber`, Twilio's `To` of that SMS, kept on the
 * profile with `smsAddress`): SMS replies go from it, so a business with several numbers answers from
 * the one the customer wrote to. A caller who never texted: the number of ours they called (kept by
 * their call on a profile with no SMS number). Undefined when the profile of their latest SMS keeps
 * none (one stored before): the configured number then.
 */
export function lastBusinessNumber(customer: Customer, profiles: readonly Customer[]): string | undefined {
  const texted = latestNumbers(customer, profiles, 'sms');
  if (texted) return texted.profile.smsBusinessNumber;
  // A caller who never texted: the number of ours they called, which their call kept.
  return profiles.find((p) => p.smsAddress === undefined && p.smsBusinessNumber !== undefined)
    ?.smsBusinessNumber;
}

/** The profile of the latest message on the channel whose number the customer still shows, and that number. */
function latestNumbers(customer: Customer, profiles: readonly Customer[], channel: 'whatsapp' | 'sms') {
  const shown = new Set(customer.identities.filter((i) => i.kind === 'phone').map((i) => i.value));
  let best: { number: string; at: string; profile: Customer } | undefined;
  for (const profile of profiles) {
    const number = channel === 'whatsapp' ? profile.whatsappAddress : profile.smsAddress;
    if (!number || !shown.has(phoneIdentityKey(number))) continue;
    const at = profile.lastInboundByChannel[channel] ?? '';
    if (!best || at > best.at) best = { number, at, profile };
  }
  return best;
}

/**
 * The provider the customer's latest WhatsApp message came through, when it was Twilio (the profile of
 * that message's `whatsappProvider`): a reply goes back through it when both Twilio and the Cloud API
 * are set. Undefined for the Cloud API, or when no profile keeps a WhatsApp number.
 */
export function lastWhatsappProvider(
  customer: Customer,
  profiles: readonly Customer[],
): 'twilio' | undefined {
  return latestNumbers(customer, profiles, 'whatsapp')?.profile.whatsappProvider === 'twilio'
    ? 'twilio'
    : undefined;
}

/**
 * Our number a reply goes from, as its item's `from`, when the reply names it: on SMS (and a caller's
 * answer) the number or short code the customer wrote to (lastBusinessNumber). Absent when the reply
 * goes from the configured sender, which the sender alone knows.
 */
export function sentFrom(message: Pick<OutboundMessage, 'channel' | 'from'>): { from?: Identity } {
  const sms = message.channel === 'sms' || message.channel === 'voice';
  return sms && message.from ? { from: { kind: 'phone', value: message.from } } : {};
}
