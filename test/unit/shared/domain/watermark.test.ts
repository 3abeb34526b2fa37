import { describe, expect, it } from 'vitest';
import { type StatusEnvelope, StatusEnvelopeSchema } from '#shared/domain/envelope.js';
import { watermarkMessageId, watermarkOf } from '#shared/domain/watermark.js';

const CUSTOMER = { kind: 'messenger' as const, value: '1234567890:5550001111' };

const receipt = (providerMessageId: string, customer: StatusEnvelope['customer'] | null = CUSTOMER) =>
  StatusEnvelopeSchema.parse({
    id: `messenger:status:${providerMessageId}:read`,
    provider: 'meta',
    channel: 'messenger',
    occurredAt: '2026-12-04T10:00:00.000Z',
    receivedAt: '2026-12-04T10:00:00.100Z',
    rawRef: 'meta:x#/entry/0/messaging/0',
    kind: 'status',
    providerMessageId,
    status: 'read',
    ...(customer ? { customer } : {}),
  });

describe('watermark receipts', () => {
  it('reads back the time a watermark id was made with', () => {
    const id = watermarkMessageId(CUSTOMER.value, 1_796_378_400_123);
    expect(id).toBe('watermark:1234567890:5550001111:1796378400123');
    expect(watermarkOf(receipt(id))).toBe('2026-12-04T10:00:00.123Z');
  });

  it.each([
    ['a status that names its message', 'm_abc:123', CUSTOMER],
    ['a watermark without its customer', 'watermark:1234567890:5550001111:1796378400123', null],
    ['a watermark whose time is not digits', 'watermark:1234567890:5550001111:soon', CUSTOMER],
    ['a watermark whose time is too long to be one', `watermark:1:${'9'.repeat(20)}`, CUSTOMER],
  ])('is no watermark for %s', (_name, id, customer) => {
    expect(watermarkOf(receipt(id, customer))).toBeUndefined();
  });
});
