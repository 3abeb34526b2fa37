import type { Channel } from './envelope.js';
import { phoneIdentityKey } from './identity.js';
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
  const shown = new Set(customer.identities.filter((i) => i.kind === 'phone').map((i) => i.value));
  let best: { number: string; at: string } | undefined;
  for (const profile of profiles) {
    const number = channel === 'whatsapp' ? profile.whatsappAddress : profile.smsAddress;
    if (!number || !shown.has(phoneIdentityKey(number))) continue;
    const at = profile.lastInboundByChannel[channel] ?? '';
    if (!best || at > best.at) best = { number, at };
  }
  return best?.number;
}
