import * as z from 'zod';
import { unicodeEmail } from './addresses.js';
import { type Identity, IdentityKindSchema } from './envelope.js';
import { StringSetSchema } from './string-set.js';
import { type Conversation, ConversationSchema, type Customer, CustomerSchema } from './timeline.js';

const CustomerItemSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  identities: StringSetSchema,
  channels: StringSetSchema,
  createdAt: z.string(),
  lastInboundAt: z.string().optional(),
  lastInboundChannel: z.string().optional(),
  openConversationId: z.string().optional(),
  mergedInto: z.string().optional(),
  mergedFrom: StringSetSchema,
  tags: StringSetSchema,
  lastAgentId: z.string().optional(),
  lastAgentAt: z.string().optional(),
  typedEmail: z.string().optional(),
  whatsappAddress: z.string().optional(),
  smsAddress: z.string().optional(),
  smsBusinessNumber: z.string().optional(),
  // Only Twilio is named; anything else reads as the Cloud API's (no limit of Twilio's).
  whatsappProvider: z.enum(['twilio']).optional().catch(undefined),
  whatsappWindowClosedAt: z.iso.datetime().optional().catch(undefined),
});

/**
 * A stored identity token (`<kind>#<value>`) as an identity, an email address with a Punycode domain
 * with its `display` as people write it; undefined for a kind we no longer know.
 */
function identityOfToken(token: string): (Identity & { display?: string }) | undefined {
  const hash = token.indexOf('#');
  const kind = IdentityKindSchema.safeParse(token.slice(0, hash));
  if (!kind.success) return undefined;
  const value = token.slice(hash + 1);
  const display = kind.data === 'email' ? unicodeEmail(value) : value;
  return { kind: kind.data, value, ...(display !== value ? { display } : {}) };
}

/** The `lastInbound_<channel>` attributes of a profile item, by channel: the reply windows' start. */
export function lastInboundByChannelOf(item: Record<string, unknown>): Record<string, string> {
  const byChannel: Record<string, string> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key.startsWith('lastInbound_') && typeof value === 'string') {
      byChannel[key.slice('lastInbound_'.length)] = value;
    }
  }
  return byChannel;
}

/**
 * A stored profile item as the API shows the customer: sets as sorted lists, identity tokens as
 * identities, the per-channel inbound times gathered. The store and the live events read it alike;
 * throws (zod) when the item does not read as a customer.
 */
export function customerOfItem(item: Record<string, unknown>): Customer {
  const parsed = CustomerItemSchema.parse(item);
  return CustomerSchema.parse({
    id: parsed.id,
    name: parsed.name,
    identities: parsed.identities.map(identityOfToken).filter((i) => i !== undefined),
    channels: parsed.channels,
    createdAt: parsed.createdAt,
    lastInboundAt: parsed.lastInboundAt,
    lastInboundChannel: parsed.lastInboundChannel,
    lastInboundByChannel: lastInboundByChannelOf(item),
    openConversationId: parsed.openConversationId,
    mergedInto: parsed.mergedInto,
    mergedFrom: parsed.mergedFrom,
    tags: parsed.tags,
    lastAgentId: parsed.lastAgentId,
    lastAgentAt: parsed.lastAgentAt,
    typedEmail: parsed.typedEmail,
    whatsappAddress: parsed.whatsappAddress,
    smsAddress: parsed.smsAddress,
    smsBusinessNumber: parsed.smsBusinessNumber,
    whatsappProvider: parsed.whatsappProvider,
    whatsappWindowClosedAt: parsed.whatsappWindowClosedAt,
  });
}

/**
 * A stored conversation item as agents and routing read it: channels as a sorted list, the channel
 * switch derived, keys and routing state left out. Throws (zod) when it does not read as one.
 */
export function conversationOfItem(item: Record<string, unknown>): Conversation {
  const channels = StringSetSchema.parse(item.channels);
  const merged = item.mergedConversationIds;
  const mergedConversationIds = merged === undefined ? undefined : StringSetSchema.parse(merged);
  return ConversationSchema.parse({
    ...item,
    channels,
    channelSwitch: channels.length > 1,
    ...(mergedConversationIds ? { mergedConversationIds } : {}),
    // A person's first response whose count a crash left owed (`countOwed`) reads as none until it is
    // added: the reply's retry, or the next reply, tries the mark again, which adds it.
    ...(item.countOwed !== undefined ? { firstHumanResponseAt: undefined } : {}),
  });
}

/** `read(item)`, or undefined when the item does not read as one (a reader that skips what it cannot show). */
export function readableOrUndefined<T>(
  read: (item: Record<string, unknown>) => T,
  item: Record<string, unknown>,
): T | undefined {
  try {
    return read(item);
  } catch {
    return undefined;
  }
}
