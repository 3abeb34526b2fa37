import { ChannelSchema, type Identity } from './envelope.js';
import { earlierPhoneKeys, identityToken, phoneIdentityKey } from './identity.js';
import { ADDRESS_KIND } from './replies.js';

/** The most `mergedInto` pointers followed from a customer, so a cycle cannot loop. */
const MAX_MERGE_HOPS = 5;

/**
 * Follows `mergedInto` pointers from a customer to the one that stands for them now, reading each
 * profile once with `read` (which decides the consistency, and what a missing or erased one is).
 * Answers the customer reached and the profile read there: undefined when there is none, still merged
 * elsewhere when MAX_MERGE_HOPS ran out.
 */
export async function followMerges<P extends { mergedInto?: string | undefined } | undefined>(
  read: (customerId: string) => Promise<P>,
  customerId: string,
): Promise<{ customerId: string; profile: P }> {
  let id = customerId;
  let profile = await read(id);
  for (let hop = 0; profile?.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
    id = profile.mergedInto;
    profile = await read(id);
  }
  return { customerId: id, profile };
}

/** How far a walk over a merged group goes: merges deep, and partitions in all (the root's included). */
export interface MergeWalkBounds {
  maxHops: number;
  maxPartitions: number;
}

/**
 * The partitions of a root's merged group: the root's, then those of the customers merged into it,
 * and into those before they were merged on, breadth first, each merged customer's profile read once
 * (`read`) for its own merges. Bounded by `bounds`; `cut` says one was met with customers left beyond
 * it. With `seek`, the walk stops as soon as that customer is in the group (read no further: a
 * customer merged straight in costs no read).
 */
export async function mergedGroup(
  read: (customerId: string) => Promise<{ mergedFrom?: readonly string[] | undefined } | undefined>,
  root: { customerId: string; profile: { mergedFrom?: readonly string[] | undefined } | undefined },
  bounds: MergeWalkBounds,
  seek?: string,
): Promise<{ partitions: string[]; cut: boolean }> {
  const partitions = [root.customerId];
  let level = [...(root.profile?.mergedFrom ?? [])];
  for (let hop = 1; level.length > 0; hop++) {
    if (hop > bounds.maxHops) return { partitions, cut: true };
    const next: string[] = [];
    for (const id of level) {
      if (partitions.includes(id)) continue;
      if (partitions.length >= bounds.maxPartitions) return { partitions, cut: true };
      partitions.push(id);
      if (id === seek) return { partitions, cut: false };
      next.push(...((await read(id))?.mergedFrom ?? []));
    }
    level = next;
  }
  return { partitions, cut: false };
}

/**
 * Whether a stored timeline item came through one of the identities (`<kind>#<value>` tokens) of a
 * customer: an unmerge gives such items back to that customer. Only items that carry the identity they
 * came from (`from`: the customer's messages, reactions, edits, calls, echoes of the business's own
 * app) say so; replies, notes and our own events name nobody and stay where they are.
 */
export function cameThrough(item: Record<string, unknown>, tokens: ReadonlySet<string>): boolean {
  const from = item.from as { kind?: unknown; value?: unknown } | undefined;
  if (typeof from?.kind !== 'string' || typeof from.value !== 'string') return false;
  return tokens.has(identityToken({ kind: from.kind, value: from.value } as Identity));
}

/** What one unmerge call did: `complete` once everything that came through the source is back with it. */
export interface UnmergeProgress {
  complete: boolean;
  /** Items this call moved back to the source. */
  moved: number;
}

/** What a merge reads of a profile to carry its WhatsApp id: its identity tokens, and the id. */
export interface MergedProfile {
  identities: readonly string[];
  whatsappAddress?: unknown;
}

/**
 * The source's WhatsApp id the target should carry: the one its profile keeps for one of its phones
 * (a Brazilian id without its ninth digit, a Mexican one with its `1`, an Argentine one with its 9),
 * when the target has no phone of its own (else WhatsApp replies go to that phone, as before).
 * Undefined otherwise. The target's identities may already show the source's (a retried merge).
 */
export function carriedWhatsappAddress(profiles: {
  source: MergedProfile;
  target: MergedProfile;
}): string | undefined {
  const { source, target } = profiles;
  const address = source.whatsappAddress;
  if (typeof address !== 'string') return undefined;
  const token = identityToken({ kind: 'phone', value: phoneIdentityKey(address) });
  if (!source.identities.includes(token)) return undefined;
  const own = target.identities.filter((t) => t.startsWith('phone#') && !source.identities.includes(t));
  return own.length === 0 ? address : undefined;
}

/**
 * The WhatsApp ids that differ from the numbers `identities` are keyed under (a Brazilian mobile's
 * eight-digit id, a Mexican one's with `1`, an Argentine one's with 9): what a target may carry for
 * them, dropped when they leave it.
 */
export function whatsappFormsOf(identities: readonly string[]): string[] {
  return identities.flatMap((token) => (token.startsWith('phone#') ? earlierPhoneKeys(token.slice(6)) : []));
}

/** Whether identity tokens (`<kind>#<value>`) hold an address a reply on `channel` can go to. */
function holdsAddress(tokens: readonly string[], channel: string): boolean {
  const parsed = ChannelSchema.safeParse(channel);
  if (!parsed.success) return false;
  return ADDRESS_KIND[parsed.data].some((kind) => tokens.some((token) => token.startsWith(`${kind}#`)));
}

/**
 * The last inbound channel the target keeps after an unmerge, from its profile as the unmerge's write
 * left it: unchanged (undefined) unless it was learned from the source's messages while merged (the
 * source holds an address on it and the target none), else the channel the target holds an address on
 * that it last wrote on (`lastInbound_<channel>`), else one it was seen on, else none (`null`): a reply
 * with no channel named would otherwise go to an address the target does not have.
 */
export function keptInboundChannel(
  target: { identities: readonly string[]; channels: readonly string[]; [key: string]: unknown },
  sourceIdentities: readonly string[],
): string | null | undefined {
  const last = target.lastInboundChannel;
  if (typeof last !== 'string' || holdsAddress(target.identities, last)) return undefined;
  if (!holdsAddress(sourceIdentities, last)) return undefined;
  const held = ChannelSchema.options.filter((channel) => holdsAddress(target.identities, channel));
  const at = (channel: string) => target[`lastInbound_${channel}`];
  const written = held
    .filter((channel) => typeof at(channel) === 'string')
    .sort((a, b) => String(at(b)).localeCompare(String(at(a))));
  return written[0] ?? held.find((channel) => target.channels.includes(channel)) ?? null;
}
