import { describe, expect, it, vi } from 'vitest';
import type { Resolving } from '#shared/app/identity-evidence.js';
import { lookUpName } from '#shared/app/look-up-name.js';
import type { Envelope, Identity } from '#shared/domain/envelope.js';

const PSID: Identity = { kind: 'messenger', value: '1000001:7100000000000009' };
const AT = '2026-12-06T10:00:00.000Z';

const resolving = (over: { envelope?: Partial<Envelope>; customer?: Identity; profile?: object } = {}) =>
  ({
    envelope: { kind: 'message', direction: 'inbound', occurredAt: AT, ...over.envelope },
    customer: over.customer ?? PSID,
    customerId: 'cus_1',
    profile: over.profile,
    now: AT,
  }) as unknown as Resolving;

describe('lookUpName: one lookup for a nameless Messenger or Instagram customer', () => {
  it('asks for a new customer and times the name as the message', async () => {
    const lookup = vi.fn(async () => 'Rosa Quintero');
    expect(await lookUpName(lookup, resolving(), true)).toEqual({ name: { value: 'Rosa Quintero', at: AT } });
    expect(lookup).toHaveBeenCalledWith(PSID);
  });

  it('marks a lookup that found nothing, so its touch remembers it', async () => {
    expect(
      await lookUpName(async () => undefined, resolving({ profile: { customerId: 'cus_1' } }), true),
    ).toEqual({});
  });

  it.each([
    ['a profile with a name', resolving({ profile: { customerId: 'cus_1', name: 'Rosa' } }), true],
    ['a profile asked about before', resolving({ profile: { customerId: 'cus_1', nameLookupAt: AT } }), true],
    [
      'a message carrying its own name',
      resolving({ envelope: { profileName: 'Dana' } as Partial<Envelope> }),
      true,
    ],
    ['another channel', resolving({ customer: { kind: 'phone', value: '+15550100001' } }), true],
    ['not the customer speaking', resolving(), false],
    ['a reaction', resolving({ envelope: { kind: 'reaction' } as Partial<Envelope> }), true],
  ])('asks nothing for %s', async (_, input, inbound) => {
    const lookup = vi.fn(async () => 'Someone');
    expect(await lookUpName(lookup, input, inbound)).toBeUndefined();
    expect(lookup).not.toHaveBeenCalled();
  });
});
