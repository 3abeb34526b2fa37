import type { Channel } from '../domain/envelope.js';
import { inboundToRecheck, keptInbound, TargetAtMergeSchema } from '../domain/merges.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { queryPage, readBack } from './paging.js';
import { LAST_INBOUND_LOOKBACK } from './params/timeline.js';
import {
  INBOUND_AT_READ,
  keepInboundInput,
  queryInboundAtInput,
  queryOwnLastInboundInput,
} from './params/unmerge-inbound.js';
import { type RawProfile, readRawProfile } from './raw-profile.js';

/**
 * The target's own latest inbound time on each channel named, read in its own partition once the
 * source's items left it (strongly consistent): its latest inbound message there within the last
 * LAST_INBOUND_LOOKBACK items, read newest first in pages of 10, then 30 and 60 only while none is
 * found (`readBack`; before, all 100 in one read); when that finds none as new as the time its profile
 * holds, that time if an inbound message of its own is at that very millisecond (one query of the items
 * of that millisecond, however far back it is). Undefined: none found.
 */
async function ownLastInbound(
  db: DynamoDb,
  target: RawProfile,
  channels: readonly string[],
): Promise<Record<string, string | undefined>> {
  const own: Record<string, string | undefined> = {};
  for (const channel of channels as Channel[]) {
    const input = queryOwnLastInboundInput(db.table, target.id, channel);
    const [latest] = await readBack(db, input, LAST_INBOUND_LOOKBACK, (found) => found.length > 0);
    own[channel] = typeof latest?.at === 'string' ? latest.at : undefined;
    const held = target[`lastInbound_${channel}`];
    if (typeof held !== 'string' || (own[channel] ?? '') >= held) continue;
    const exact = queryInboundAtInput(db.table, target.id, channel, held);
    if ((await queryPage(db, exact, 1, { maxRead: INBOUND_AT_READ })).items.length) own[channel] = held;
  }
  return own;
}

/**
 * Once what came through the source is back with it, the target's profile loses what the source's
 * messages wrote there while merged (see `keptInbound`): the console showed the kept customer reachable
 * on the source's channel, with the source's last-inbound time, and a reply naming no channel went to a
 * channel it holds no address on. What the target held when merged (`targetAtMerge` on the source's
 * profile) stays. One strong read of the profile, one or two queries per channel both hold an address
 * on, one conditional write when something changes; read again once when a message of the target
 * changed the profile between the read and the write.
 */
export async function keepTargetInbound(db: DynamoDb, targetId: string, source: RawProfile): Promise<void> {
  const before = TargetAtMergeSchema.safeParse(source.targetAtMerge);
  for (let attempt = 0; attempt < 2; attempt++) {
    const target = await readRawProfile(db, targetId);
    const own = await ownLastInbound(db, target, inboundToRecheck(target, source.identities));
    const kept = keptInbound(target, source, own, before.success ? before.data : undefined);
    if (!kept || (await updateItemIf(db, keepInboundInput(db.table, targetId, kept)))) return;
  }
}
