import { normaliseEmail, unicodeEmail } from '../domain/addresses.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';

/** The most addresses one mail names for this step: its From and the Reply-To a mail keeps (10). */
const MAX_ADDRESSES_PER_MAIL = 11;

/**
 * The email addresses a timeline item names that a bounce or a complaint may have suppressed, as
 * `email#<address>` tokens: an inbound mail's From and Reply-To addresses (where a reply may have
 * gone, see emailReplyAddress), and the address of a suppression put on the timeline (the bounce of
 * a mail we sent, attached to its customer: an address their mails may not name). Read from the
 * item's projected `from`, `data.replyToAddresses` and `event`. An internationalised domain's address
 * twice: in Punycode, and as earlier versions kept it (see unicodeEmail).
 */
export function mailAddressTokens(item: Record<string, unknown>): string[] {
  if (item.channel !== 'email') return [];
  if (item.direction !== 'inbound' && item.event !== 'suppressed') return [];
  const from = item.from as { kind?: unknown; value?: unknown } | undefined;
  const data = item.data as { replyToAddresses?: unknown } | undefined;
  const listed = Array.isArray(data?.replyToAddresses) ? data.replyToAddresses : [];
  const raw = [from?.kind === 'email' ? from.value : undefined, ...listed];
  const tokens = new Set<string>();
  for (const value of raw.slice(0, MAX_ADDRESSES_PER_MAIL)) {
    const address = typeof value === 'string' ? normaliseEmail(value) : undefined;
    if (!address) continue;
    tokens.add(`email#${address}`);
    // Versions before Punycode keys kept an internationalised domain as written.
    tokens.add(`email#${unicodeEmail(address)}`);
  }
  return [...tokens];
}

/**
 * Deletes the contact state (a bounce's or a complaint's suppression) of each address an erased
 * group's mails used, unless another customer holds that address: a Reply-To (a second mailbox, a
 * desk) is no identity of theirs, so the identities' step never met its suppression, which kept the
 * person's address. The group's own identities are that step's. An address another customer holds
 * keeps its suppression: it is theirs, and lifting it would mail a bounced or complaining address.
 * One GetItem of the identity per address, once per erasure call (`seen`); the delete is `remove`.
 */
export async function forgetSuppressions(
  db: DynamoDb,
  tokens: readonly string[],
  group: { ids: ReadonlySet<string>; identities: ReadonlySet<string>; seen: Set<string> },
  remove: (key: { pk: string; sk: string }) => Promise<unknown>,
): Promise<void> {
  for (const token of tokens) {
    if (group.identities.has(token) || group.seen.has(token)) continue;
    group.seen.add(token);
    const holder = await getItem(db, getInput(db.table, Keys.identityByToken(token)));
    const customerId = holder.Item?.customerId;
    if (typeof customerId === 'string' && !group.ids.has(customerId)) continue;
    await remove(Keys.contactStateByToken(token));
  }
}
