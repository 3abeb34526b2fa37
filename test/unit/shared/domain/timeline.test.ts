import { describe, expect, it } from 'vitest';
import type { DeliveryStatus } from '#shared/domain/envelope.js';
import { statusRank } from '#shared/domain/timeline.js';

/** The status a message ends with after these reports, applied as the store applies them (rank only rises). */
function settle(reports: DeliveryStatus[]): DeliveryStatus | undefined {
  let current: DeliveryStatus | undefined;
  for (const status of reports) {
    if (current === undefined || statusRank(status) > statusRank(current)) current = status;
  }
  return current;
}

describe('statusRank', () => {
  it.each<[DeliveryStatus[], DeliveryStatus]>([
    [['queued', 'sent', 'delivered', 'read'], 'read'],
    [['read', 'delivered', 'sent'], 'read'],
    // SES: Delivery, then an asynchronous Bounce from the receiving server, in either order.
    [['sent', 'delivered', 'failed'], 'failed'],
    [['failed', 'delivered'], 'failed'],
    [['sent', 'failed', 'sent'], 'failed'],
    // A message the customer read or played was delivered, whatever failed report comes late.
    [['delivered', 'read', 'failed'], 'read'],
    [['failed', 'played'], 'played'],
  ])('settles %j on %s', (reports, expected) => {
    expect(settle(reports)).toBe(expected);
  });
});
