import { describe, expect, it } from 'vitest';
import {
  ClientFrameSchema,
  DurableEventSchema,
  EventsQuerySchema,
  ServerFrameSchema,
} from '#shared/domain/live/events.js';

describe('the live contract', () => {
  it.each([
    [{ type: 'viewing', conversationId: 'conv_1' }],
    [{ type: 'left', conversationId: 'conv_1' }],
    [{ type: 'typing', conversationId: 'conv_1' }],
    [{ type: 'ping' }],
  ])('accepts the client frame %j', (frame) => {
    expect(ClientFrameSchema.parse(frame)).toEqual(frame);
  });

  it.each([
    [{ type: 'viewing' }],
    [{ type: 'viewing', conversationId: '../x' }],
    [{ type: 'typing', conversationId: 'c', extra: 1 }],
    [{ type: 'subscribe', conversationId: 'c' }],
    [{ type: 'ping', seq: 1 }],
    ['ping'],
  ])('refuses the client frame %j', (frame) => {
    expect(ClientFrameSchema.safeParse(frame).success).toBe(false);
  });

  it('reads a timeline event with its item as the timeline answers it', () => {
    const event = {
      id: 'live_1',
      seq: 1_764_000_000_000_001,
      type: 'timeline.item',
      customerId: 'cus_1',
      conversationId: 'conv_1',
      item: { id: 'whatsapp:wamid.1', type: 'message', at: '2026-12-03T12:00:00.000Z', customerId: 'cus_1' },
    };
    expect(DurableEventSchema.parse(event)).toEqual(event);
    expect(ServerFrameSchema.parse({ type: 'pong' })).toEqual({ type: 'pong' });
  });

  it('reads since and limit from the query, with a default limit', () => {
    expect(EventsQuerySchema.parse({ since: '12' })).toEqual({ since: 12, limit: 200 });
    expect(EventsQuerySchema.safeParse({ since: '-1' }).success).toBe(false);
    expect(EventsQuerySchema.safeParse({ since: 'x' }).success).toBe(false);
    expect(EventsQuerySchema.safeParse({ since: '1', limit: '501' }).success).toBe(false);
  });
});
