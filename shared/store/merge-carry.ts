import type { Channel } from '../domain/envelope.js';
import { carriedInbound, carriedNumbers } from '../domain/merges.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { carryNumberInput } from './params/merges.js';
import { advanceChannelInboundInput, laterProfileInboundInput } from './params/profile-inbound.js';
import type { RawProfile } from './raw-profile.js';

/**
 * Step 7 of a merge: the target keeps the numbers the source last wrote from on WhatsApp and by SMS
 * when the source wrote there after it (see `carriedNumbers`): replies go to the number of the
 * customer's latest message, in WhatsApp's own form (a Brazilian id without its ninth digit). One
 * conditional UpdateItem each, so a retry or a newer message of the target's changes nothing.
 */
export async function carryLastNumbers(
  db: DynamoDb,
  targetId: string,
  profiles: { source: RawProfile; target: RawProfile },
): Promise<void> {
  for (const carried of carriedNumbers(profiles)) {
    await updateItemIf(db, carryNumberInput(db.table, targetId, carried));
  }
}

/**
 * Step 8 of a merge, after the numbers (whose condition compares the target's own channel times): the
 * target keeps the later of each channel's last-inbound time and the latest channel overall (see
 * `carriedInbound`): one conditional UpdateItem each (forward only, so a retry or a newer message of the
 * target's changes nothing); none where the target's own is the later. An unmerge takes them back
 * (`keepTargetInbound`, from `targetAtMerge`).
 */
export async function carryLastInbound(
  db: DynamoDb,
  targetId: string,
  source: RawProfile,
  target?: RawProfile,
): Promise<void> {
  for (const { channel, at, last } of carriedInbound(source, target)) {
    const touch = { customerId: targetId, channel: channel as Channel, at };
    await updateItemIf(
      db,
      last ? laterProfileInboundInput(db.table, touch) : advanceChannelInboundInput(db.table, touch),
    );
  }
}
