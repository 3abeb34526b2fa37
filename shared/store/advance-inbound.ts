import { overtakesInSameSecond } from '../domain/profile-touch.js';
import type { ProfileTouch } from '../domain/resolver-ports.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import {
  advanceChannelInboundInput,
  laterProfileInboundInput,
  sameSecondInboundInput,
} from './params/profile-inbound.js';

/**
 * After a stale touch (`profile` as it left it), an inbound event moves the profile's last inbound
 * forward to it when it is its conversation's latest inbound message (`latestInbound`; of one second,
 * the channel only: `overtakesInSameSecond`), else its channel's time only: one conditional write
 * either way, as before, or a second when the first lost a race.
 */
export async function advanceInbound(
  db: DynamoDb,
  touch: ProfileTouch,
  profile: Record<string, unknown> | undefined,
) {
  if (!touch.inbound) return;
  const last = profile?.lastInboundAt;
  const later = touch.latestInbound && (typeof last !== 'string' || last < touch.at);
  if (later && (await updateItemIf(db, laterProfileInboundInput(db.table, touch)))) return;
  // Or the channel only, for a whole second's message that reached us after a later one of it.
  const channel = profile?.lastInboundChannel;
  const held = {
    at: typeof last === 'string' ? last : undefined,
    channel: typeof channel === 'string' ? channel : undefined,
  };
  if (touch.latestInbound && held.at && overtakesInSameSecond(held, touch)) {
    if (await updateItemIf(db, sameSecondInboundInput(db.table, touch, held.at))) return;
  }
  await updateItemIf(db, advanceChannelInboundInput(db.table, touch));
}
