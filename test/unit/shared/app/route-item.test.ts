import { describe, expect, it } from 'vitest';
import { routeItem } from '#shared/app/route-item.js';
import type { InboundToRoute } from '#shared/domain/router-ports.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const item: TimelineItem = {
  id: 'msg:whatsapp:wamid.W1',
  type: 'message',
  direction: 'inbound',
  channel: 'whatsapp',
  at: '2026-03-03T10:00:01.000Z',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  text: 'Where is my order?',
};

/** What routeItem asks the router, for a delivery that wrote the item or found it written. */
async function asked(written: boolean, receiveCount: number): Promise<InboundToRoute | undefined> {
  let input: InboundToRoute | undefined;
  const placed = {
    item,
    customerId: 'cu_1',
    conversationId: 'cv_1',
    written,
    conversation: undefined,
    profileRead: undefined,
  };
  await routeItem(
    async (given) => {
      input = given;
      return { routed: true };
    },
    placed,
    { receiveCount },
  );
  return input;
}

/**
 * On SQS a twin is another message of the same provider id (a webhook retry) received for the first
 * time while the delivery that wrote the item may still be routing it: left to that delivery. If the
 * writer died, its own message comes back with a receive count of 2 and finds the item written: it is
 * no twin and routes (the local queue counts a message reloaded after a restart the same way).
 */
describe('routeItem: which delivery routes', () => {
  it('the delivery that wrote the item routes it as the first delivery', async () => {
    expect(await asked(true, 1)).toMatchObject({ firstDelivery: true });
    expect((await asked(true, 1))?.twin).toBeUndefined();
  });

  it('a first receipt that found the item written is a twin, left to the writer', async () => {
    expect(await asked(false, 1)).toMatchObject({ firstDelivery: false, twin: true });
  });

  it("the writer's own redelivery (receive count 2) after it died is no twin: it routes", async () => {
    const input = await asked(false, 2);
    expect(input).toMatchObject({ firstDelivery: false, conversationId: 'cv_1' });
    expect(input?.twin).toBeUndefined();
  });
});
