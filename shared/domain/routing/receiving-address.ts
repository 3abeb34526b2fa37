import type { TimelineItem } from '../timeline.js';

/** An email address as a queue's `to` and an item's recipients are compared: in lower case. */
const canonical = (address: string): string => (address.includes('@') ? address.toLowerCase() : address);

/** The origin (`https://brand-b.example`) of a page's URL, or undefined when it is none. */
function originOf(page: unknown): string | undefined {
  if (typeof page !== 'string') return undefined;
  try {
    const origin = new URL(page).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * The addresses of ours a customer's message (or voicemail) came in on, as its stored item keeps them,
 * for a queue's `to`: SMS, Twilio's WhatsApp and calls keep our number written to or called (`to`: E.164,
 * or an SMS short code); WhatsApp's Cloud API our phone number id (`data.phoneNumberId`); Messenger and
 * Instagram our Page or account id, which starts the customer's page-scoped identity
 * (`<page id>:<their id>`); email every address of ours it reached (`data.recipients`, in lower case);
 * web chat the origin of the page written from (`data.page`). None when the item keeps none (an item
 * stored before, a widget that sent no page): such a message matches no queue's `to`.
 */
export function receivingAddresses(item: Pick<TimelineItem, 'channel' | 'to' | 'from' | 'data'>): string[] {
  const out: string[] = [];
  if (item.to?.kind === 'phone') out.push(item.to.value);
  const data = item.data ?? {};
  switch (item.channel) {
    case 'whatsapp':
      if (typeof data.phoneNumberId === 'string') out.push(data.phoneNumberId);
      break;
    case 'messenger':
    case 'instagram': {
      const scoped = item.from?.kind === item.channel ? item.from.value : '';
      const cut = scoped.indexOf(':');
      if (cut > 0) out.push(scoped.slice(0, cut));
      break;
    }
    case 'email':
      if (Array.isArray(data.recipients)) {
        for (const r of data.recipients) if (typeof r === 'string') out.push(canonical(r));
      }
      break;
    case 'webchat': {
      const origin = originOf(data.page);
      if (origin) out.push(origin);
      break;
    }
  }
  return out;
}

/** Whether one of a message's addresses (`receivingAddresses`) is one of a queue's `to` (as parsed). */
export const cameInOn = (to: readonly string[], addresses: readonly string[] | undefined): boolean =>
  (addresses ?? []).some((address) => to.includes(canonical(address)));
