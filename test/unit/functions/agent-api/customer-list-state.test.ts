import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../../functions/agent-api/console/api.js';
import {
  afterCustomerChange,
  customersPath,
  listShows,
  rowAfterKey,
  seenText,
  withPage,
} from '../../../../functions/agent-api/console/customer-list-state.js';

const customer = (id: string, more: Partial<Customer> = {}): Customer => ({
  id,
  identities: [{ kind: 'phone', value: '+447700900001' }],
  channels: ['sms'],
  createdAt: '2026-06-01T09:00:00.000Z',
  lastInboundByChannel: {},
  tags: [],
  mergedFrom: [],
  ...more,
});

describe("the console's customer list", () => {
  it('reads every customer newest first without text, a search with it, the next page with the cursor', () => {
    expect(customersPath('')).toBe('/api/customers');
    expect(customersPath('', 'abc=')).toBe('/api/customers?cursor=abc%3D');
    expect(customersPath('Pat & Co')).toBe('/api/customers?q=Pat+%26+Co');
    expect(customersPath('+44 7700', 'c1')).toBe('/api/customers?q=%2B44+7700&cursor=c1');
  });

  it('adds a page below, each customer once', () => {
    const first = [customer('cu_1'), customer('cu_2')];
    expect(withPage(undefined, first).map((c) => c.id)).toEqual(['cu_1', 'cu_2']);
    expect(withPage(first, [customer('cu_2'), customer('cu_3')]).map((c) => c.id)).toEqual([
      'cu_1',
      'cu_2',
      'cu_3',
    ]);
  });

  it('says loading, failed, empty only when no page is left, else shows the rows', () => {
    expect(listShows({ found: undefined, error: '', more: false })).toBe('loading');
    expect(listShows({ found: undefined, error: 'try again shortly', more: false })).toBe('failed');
    expect(listShows({ found: [], error: '', more: false })).toBe('empty');
    // A page whose customers were all merged away or erased still has a cursor: not "No customers yet".
    expect(listShows({ found: [], error: '', more: true })).toBe('rows');
    // A More that failed keeps the rows.
    expect(listShows({ found: [customer('cu_1')], error: 'try again shortly', more: true })).toBe('rows');
  });

  it.each([
    ['j', 0, 1],
    ['ArrowDown', 0, 1],
    ['k', 2, 1],
    ['ArrowUp', 2, 1],
    ['j', 4, 4],
    ['k', 0, 0],
    ['Home', 3, 0],
    ['End', 1, 4],
    ['j', -1, 0],
    ['k', -1, 4],
    ['End', -1, 4],
    ['Home', -1, 0],
  ])('moves with %s from row %i to row %i of five', (key, at, to) => {
    expect(rowAfterKey(key, at, 5)).toBe(to);
  });

  it('leaves other keys and an empty list alone', () => {
    expect(rowAfterKey('e', 1, 5)).toBeUndefined();
    expect(rowAfterKey('Enter', 1, 5)).toBeUndefined();
    expect(rowAfterKey('j', -1, 0)).toBeUndefined();
  });

  it('says when the customer was first seen and when, and where, they last wrote', () => {
    const now = Date.parse('2026-06-04T11:00:00.000Z');
    expect(seenText(customer('cu_1'), now)).toBe('first seen 3 d ago');
    expect(
      seenText(
        customer('cu_1', { lastInboundAt: '2026-06-04T09:00:00.000Z', lastInboundChannel: 'whatsapp' }),
        now,
      ),
    ).toBe('first seen 3 d ago · last wrote 2 h ago on WhatsApp');
    expect(seenText(customer('cu_1', { lastInboundAt: '2026-06-04T10:55:00.000Z' }), now)).toBe(
      'first seen 3 d ago · last wrote 5 min ago',
    );
  });

  it('says only when they were first seen while their last message is their first', () => {
    const now = Date.parse('2026-06-01T09:05:00.000Z');
    // The message's own time a second before the profile was made: not "last wrote" before "first seen".
    const first = customer('cu_1', { lastInboundAt: '2026-06-01T08:59:59.000Z', lastInboundChannel: 'sms' });
    expect(seenText(first, now)).toBe('first seen 5 min ago on SMS');
    const again = customer('cu_1', { lastInboundAt: '2026-06-01T09:01:00.000Z', lastInboundChannel: 'sms' });
    expect(seenText(again, now)).toBe('first seen 5 min ago · last wrote 4 min ago on SMS');
  });

  describe('after a live change of a customer', () => {
    const shown = [
      customer('cu_2', { createdAt: '2026-06-02T09:00:00.000Z' }),
      customer('cu_1', { createdAt: '2026-06-01T09:00:00.000Z' }),
    ];
    const ids = (list: Customer[] | undefined) => list?.map((c) => c.id);
    const change = (c: Customer) => ({ customerId: c.id, erased: false, customer: c });

    it('replaces a listed customer by their new profile, in place', () => {
      const renamed = { ...shown[1], name: 'Renamed' } as Customer;
      const after = afterCustomerChange(shown, change(renamed), true);
      expect(ids(after)).toEqual(['cu_2', 'cu_1']);
      expect(after?.[1]?.name).toBe('Renamed');
    });

    it('drops an erased customer and one merged away', () => {
      expect(
        ids(afterCustomerChange(shown, { customerId: 'cu_2', erased: true, customer: undefined }, true)),
      ).toEqual(['cu_1']);
      const merged = { ...shown[0], mergedInto: 'cu_9' } as Customer;
      expect(ids(afterCustomerChange(shown, change(merged), false))).toEqual(['cu_1']);
    });

    it('puts a new customer first on the newest list, and not in a search or below the first row', () => {
      const fresh = customer('cu_3', { createdAt: '2026-06-03T09:00:00.000Z' });
      expect(ids(afterCustomerChange(shown, change(fresh), true))).toEqual(['cu_3', 'cu_2', 'cu_1']);
      expect(ids(afterCustomerChange(shown, change(fresh), false))).toEqual(['cu_2', 'cu_1']);
      // An older customer not on the pages read belongs further down: left to More.
      const older = customer('cu_0', { createdAt: '2026-05-01T09:00:00.000Z' });
      expect(ids(afterCustomerChange(shown, change(older), true))).toEqual(['cu_2', 'cu_1']);
      expect(ids(afterCustomerChange([], change(fresh), true))).toEqual(['cu_3']);
      expect(afterCustomerChange(undefined, change(fresh), true)).toBeUndefined();
    });
  });
});
