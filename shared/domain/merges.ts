import * as z from 'zod';
import { ChannelSchema, type Identity } from './envelope.js';
import { addressToken, earlierPhoneKeys, identityToken, phoneIdentityKey } from './identity.js';
import { ADDRESS_KIND } from './replies.js';

/**
 * Whether a stored timeline item came through one of the identities (`<kind>#<value>` tokens) of a
 * customer: an unmerge gives such items back to that customer. Only items that carry the customer's
 * identity say so: `from` (the customer's messages, reactions, edits, calls; echoes stored before they
 * named the customer in `to`), `to` of our reply (the address it was sent to: a number in WhatsApp's
 * own form counts as the phone it is; a reply stored before WhatsApp, SMS, Messenger and Instagram
 * replies named it has none), `to` of an echo of the business's own app (an outbound message that is
 * not our reply), or `to` on an outgoing call (an agent's call-back: our number is its `from`; one
 * stored before it named the callee in `from`); notes and our own events stay where they are.
 */
export function cameThrough(item: Record<string, unknown>, tokens: ReadonlySet<string>): boolean {
  const outgoingCall =
    item.type === 'event' &&
    typeof item.event === 'string' &&
    item.event.startsWith('call_') &&
    item.direction === 'outbound';
  const outbound = item.type === 'message' && item.direction === 'outbound';
  const reply = outbound && isReplyItem(item);
  const echo = outbound && !reply;
  const byTo = reply || (outgoingCall && item.to !== undefined) || (echo && item.from === undefined);
  const party = (byTo ? item.to : item.from) as { kind?: unknown; value?: unknown } | undefined;
  if (typeof party?.kind !== 'string' || typeof party.value !== 'string') return false;
  return tokens.has(addressToken(party as Identity));
}

/**
 * Whether a stored timeline item is one of our replies (`reply:<id>`): by its id, or by its sort key
 * (`TIMELINE#<at>#<id>`) for an AI reply stored without one (its key says it).
 */
export function isReplyItem(item: Record<string, unknown>): boolean {
  const id = typeof item.id === 'string' ? item.id : String(item.sk).split('#').slice(2).join('#');
  return id.startsWith('reply:');
}

/** A kept customer's tags and its record of those merges gave it (`<merged-in id>#<tag>`, see `tagsToCarry`). */
export interface TaggedProfile {
  tags: readonly string[];
  mergedTags: readonly string[];
}

/** The entries of `mergedTags` a merge of `sourceId` writes for these tags. */
export const mergedTagEntries = (sourceId: string, tags: readonly string[]): string[] =>
  tags.map((tag) => `${sourceId}#${tag}`);

/** The tag of a `mergedTags` entry, and the customer merged in it names (ids and tags hold no `#`). */
function splitEntry(entry: string): { sourceId: string; tag: string } {
  const at = entry.indexOf('#');
  return { sourceId: entry.slice(0, at), tag: entry.slice(at + 1) };
}

/**
 * The tags a merge gives the kept customer: the merged-in customer's that the kept one lacks of its
 * own (a tag its record says a merge gave it is not its own: a merge asked again after a crash past
 * its first write finds it there and carries it again, so the record stays whole), sorted. The kept
 * customer then carries the union, so the policy's `vipTag`, SLA policies, automations and survey
 * exclusions treat the merged person as either was. The merged-in customer keeps its own all along.
 */
export function tagsToCarry(source: { tags: readonly string[] }, target: TaggedProfile): string[] {
  const given = new Set(target.mergedTags.map((entry) => splitEntry(entry).tag));
  const own = target.tags.filter((tag) => !given.has(tag));
  return [...new Set(source.tags)].filter((tag) => !own.includes(tag)).sort();
}

/**
 * What an unmerge of `sourceId` takes off the kept customer: its record's entries for that customer,
 * and those tags, but for one another customer still merged in gave it too.
 */
export function tagsToTakeBack(
  target: TaggedProfile,
  sourceId: string,
): { tags: string[]; entries: string[] } {
  const entries = target.mergedTags.filter((entry) => splitEntry(entry).sourceId === sourceId);
  const others = new Set(
    target.mergedTags.filter((entry) => !entries.includes(entry)).map((entry) => splitEntry(entry).tag),
  );
  const tags = entries.map((entry) => splitEntry(entry).tag).filter((tag) => !others.has(tag));
  return { tags: tags.sort(), entries: entries.sort() };
}

/** What one unmerge call did: `complete` once everything that came through the source is back with it. */
export interface UnmergeProgress {
  complete: boolean;
  /** Items this call moved back to the source. */
  moved: number;
}

/** What a merge reads of a profile to carry its last numbers: identity tokens, numbers and their times. */
export interface MergedProfile {
  identities: readonly string[];
  whatsappAddress?: unknown;
  smsAddress?: unknown;
  [attribute: string]: unknown;
}

/** A number the target takes from the source at a merge: replies on `channel` go to it. */
export interface CarriedNumber {
  attribute: 'whatsappAddress' | 'smsAddress';
  /** `lastInbound_<channel>`: the target takes it only while its own is older. */
  timeAttribute: string;
  number: string;
  /** The source's last message on the channel. */
  at: string;
}

/**
 * The numbers the source last wrote from on WhatsApp and by SMS that the target should keep: each
 * when it is one of the source's phones and the source wrote on its channel after the target last
 * did (or the target never did), so the kept profile names the number of the customer's latest
 * message, and the resolver writes it again when their next message comes from another. The target's
 * identities may already show the source's (a retried merge).
 */
export function carriedNumbers(profiles: { source: MergedProfile; target: MergedProfile }): CarriedNumber[] {
  const { source, target } = profiles;
  const carried: CarriedNumber[] = [];
  for (const [channel, attribute] of [
    ['whatsapp', 'whatsappAddress'],
    ['sms', 'smsAddress'],
  ] as const) {
    const number = source[attribute];
    const timeAttribute = `lastInbound_${channel}`;
    const at = source[timeAttribute];
    if (typeof number !== 'string' || typeof at !== 'string') continue;
    if (!source.identities.includes(identityToken({ kind: 'phone', value: phoneIdentityKey(number) })))
      continue;
    const targetAt = target[timeAttribute];
    if (typeof targetAt === 'string' && targetAt >= at) continue;
    carried.push({ attribute, timeAttribute, number, at });
  }
  return carried;
}

/** A last-inbound time the target takes from the source at a merge. */
export interface CarriedInbound {
  channel: string;
  at: string;
  /** The overall last inbound (`lastInboundAt` and `lastInboundChannel`), not only the channel's time. */
  last: boolean;
}

/**
 * What the target takes of the source's last-inbound times at a merge: each channel's time where the
 * source's is later (or the target has none), then the overall last inbound channel and time when the
 * source's is later, so the kept profile says where the person wrote last and a reply naming no
 * channel goes there. Without the target (a merge asked again), every one: the writes are conditional.
 */
export function carriedInbound(source: InboundProfile, target?: InboundProfile): CarriedInbound[] {
  const later = (at: string, held: unknown) => typeof held !== 'string' || held < at;
  const carried: CarriedInbound[] = [];
  for (const channel of ChannelSchema.options) {
    const at = channelTime(source, channel);
    if (at !== undefined && (!target || later(at, channelTime(target, channel)))) {
      carried.push({ channel, at, last: false });
    }
  }
  const { lastInboundAt: at, lastInboundChannel: channel } = source;
  if (typeof at === 'string' && ChannelSchema.safeParse(channel).success) {
    if (!target || later(at, target.lastInboundAt))
      carried.push({ channel: String(channel), at, last: true });
  }
  return carried;
}

/**
 * The numbers a kept customer may carry for the phones of `identities` (`phone#<number>` tokens) once
 * they leave it at an unmerge, per address attribute: by SMS the numbers themselves; on WhatsApp those
 * and the WhatsApp ids that differ from them (a Brazilian mobile's eight-digit id, a Mexican one's with
 * `1`, an Argentine one's with 9). The kept customer holds none of them any more, so none is answered.
 */
export function numbersOf(identities: readonly string[]): {
  whatsappAddress: string[];
  smsAddress: string[];
} {
  const numbers = identities.flatMap((token) => (token.startsWith('phone#') ? [token.slice(6)] : []));
  return { whatsappAddress: [...numbers, ...numbers.flatMap(earlierPhoneKeys)], smsAddress: numbers };
}

/** Whether identity tokens (`<kind>#<value>`) hold an address a reply on `channel` can go to. */
function holdsAddress(tokens: readonly string[], channel: string): boolean {
  const parsed = ChannelSchema.safeParse(channel);
  if (!parsed.success) return false;
  return ADDRESS_KIND[parsed.data].some((kind) => tokens.some((token) => token.startsWith(`${kind}#`)));
}

/** A profile as an unmerge reads the target's: its identity tokens, channels and last-inbound times. */
export interface InboundProfile {
  identities: readonly string[];
  channels: readonly string[];
  [key: string]: unknown;
}

/**
 * What an unmerge corrects on the target's profile of what the source's messages wrote there while they
 * were merged (the resolver touched the target's profile for them): channels and their last-inbound
 * times (`lastInbound_<channel>`), and the last inbound channel and time.
 */
export interface KeptInbound {
  /** Channels the target shows only for the source: taken off its `channels`. */
  dropChannels: string[];
  /** `lastInbound_<channel>` to write: the target's own latest, or null to remove it. */
  channelTimes: Record<string, string | null>;
  /** The last inbound channel and time to keep (null: none); unset, they stay as they are. */
  last?: { channel: string | null; at: string | null };
  /** What the change was computed from, the write's condition: each changed time, the last inbound time. */
  was: { times: Record<string, string | undefined>; lastInboundAt: string | undefined };
}

/** The channels the source holds an address on: those its messages may have written on the target. */
function learnedChannels(sourceIdentities: readonly string[]): string[] {
  return ChannelSchema.options.filter((channel) => holdsAddress(sourceIdentities, channel));
}

/** A `lastInbound_<channel>` of a profile, when it is a time. */
const channelTime = (profile: InboundProfile, channel: string): string | undefined => {
  const at = profile[`lastInbound_${channel}`];
  return typeof at === 'string' ? at : undefined;
};

/**
 * The target's channels and last-inbound times as a merge found them, kept on the source's profile
 * (`targetAtMerge`) by the write that points it at the target: what the target held itself before the
 * source's messages could write there, which its unmerge keeps whatever came since.
 */
export const TargetAtMergeSchema = z.object({
  channels: z.array(z.string()),
  times: z.record(z.string(), z.string()),
});
export type TargetAtMerge = z.infer<typeof TargetAtMergeSchema>;

/** What a merge keeps of the target's profile as it read it (see `TargetAtMergeSchema`). */
export function targetAtMerge(target: InboundProfile): TargetAtMerge {
  const times: Record<string, string> = {};
  for (const channel of ChannelSchema.options) {
    const at = channelTime(target, channel);
    if (at !== undefined) times[channel] = at;
  }
  return { channels: [...target.channels], times };
}

/**
 * The channels whose last-inbound time the target must look up in its own partition after an unmerge:
 * those both customers hold an address on (two phones, two mailboxes), where the time may be the
 * source's. One bounded read each (its latest inbound item on the channel); none for a channel only the
 * source holds (its time goes) or only the target holds (the source never wrote on it).
 */
export function inboundToRecheck(target: InboundProfile, sourceIdentities: readonly string[]): string[] {
  return learnedChannels(sourceIdentities).filter(
    (channel) => holdsAddress(target.identities, channel) && channelTime(target, channel) !== undefined,
  );
}

/**
 * What the target keeps after an unmerge, from its profile as it stands once the source's items left
 * its partition and the source's identities left its profile, and `own`: its own latest inbound time on
 * each channel `inboundToRecheck` named (undefined: none within the read). A channel only the source
 * holds an address on goes, with its time; a channel both hold keeps the target's own time, and goes
 * when the target has none there (see `heardOn`: two phones are both addresses for SMS and WhatsApp,
 * so holding one says nothing of where the target wrote from), unless the target listed it or had a
 * time there when merged (`before`, see `TargetAtMergeSchema`: that time is a floor); when the
 * last inbound channel was one the source wrote on, the last inbound becomes the latest of the times
 * kept (else a channel the target holds and was seen on, with no time; else none). Undefined when
 * nothing changes.
 */
export function keptInbound(
  target: InboundProfile,
  source: { identities: readonly string[]; channels: readonly string[] },
  own: Readonly<Record<string, string | undefined>>,
  before?: TargetAtMerge,
): KeptInbound | undefined {
  const learned = learnedChannels(source.identities);
  const dropChannels: string[] = [];
  const channelTimes: Record<string, string | null> = {};
  const was: KeptInbound['was'] = { times: {}, lastInboundAt: undefined };
  for (const channel of learned) {
    const at = channelTime(target, channel);
    const held = holdsAddress(target.identities, channel);
    let kept = held ? (channel in own ? (own[channel] ?? null) : at) : null;
    // The target's own time at the merge is a floor: its message then was its own, however far back.
    const floor = held ? before?.times[channel] : undefined;
    if (floor !== undefined && (kept === null || kept === undefined || floor > kept)) kept = floor;
    const hadIt = held && before?.channels.includes(channel) === true;
    if (target.channels.includes(channel) && !hadIt && !heardOn(channel, held, kept, source.channels)) {
      dropChannels.push(channel);
    }
    if (at !== undefined && kept !== at) {
      channelTimes[channel] = kept ?? null;
      was.times[channel] = at;
    }
  }
  const shown = target.channels.filter((channel) => !dropChannels.includes(channel));
  const last = keptLast({ ...target, channels: shown }, learned, channelTimes);
  if (last) was.lastInboundAt = typeof target.lastInboundAt === 'string' ? target.lastInboundAt : undefined;
  if (!dropChannels.length && !Object.keys(channelTimes).length && !last) return undefined;
  return { dropChannels, channelTimes, ...(last ? { last } : {}), was };
}

/**
 * Whether the target still shows `channel` once the source left, when the source holds an address on
 * it: only if the target holds one too and heard from it there itself (its own time `kept`). With no
 * time on the target, a channel the source lists came with the merge; one whose time the target's own
 * partition no longer bears out (none within the lookback) was the source's messages'.
 */
function heardOn(
  channel: string,
  held: boolean,
  kept: string | null | undefined,
  sourceChannels: readonly string[],
): boolean {
  if (!held || kept === null) return false;
  return kept !== undefined || !sourceChannels.includes(channel);
}

/**
 * The last inbound channel and time the target keeps, when its last inbound channel is one the source
 * wrote on and its time there changed or the target holds no address on it; undefined otherwise (and
 * when the answer is what the profile holds).
 */
function keptLast(
  target: InboundProfile,
  learned: readonly string[],
  channelTimes: Readonly<Record<string, string | null>>,
): KeptInbound['last'] {
  const current = target.lastInboundChannel;
  if (typeof current !== 'string' || !learned.includes(current)) return undefined;
  if (!(current in channelTimes) && holdsAddress(target.identities, current)) return undefined;
  const times = ChannelSchema.options.flatMap((channel) => {
    const at = channel in channelTimes ? channelTimes[channel] : channelTime(target, channel);
    return typeof at === 'string' ? [{ channel, at }] : [];
  });
  const newest = times.sort((a, b) => b.at.localeCompare(a.at))[0];
  const fallback = ChannelSchema.options.find(
    (channel) => holdsAddress(target.identities, channel) && target.channels.includes(channel),
  );
  const last = newest ?? { channel: fallback ?? null, at: null };
  if (last.channel === current && last.at === target.lastInboundAt) return undefined;
  return last;
}
