import { describe, expect, it } from 'vitest';
import type { ProfileTouch } from '#shared/domain/resolver-ports.js';
import { UnavailableError } from '#shared/errors.js';
import { Keys } from '#shared/store/keys.js';
import { getInput } from '#shared/store/params/common.js';
import { markErasingInput, putTombstoneInput } from '#shared/store/params/privacy.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'profile-touch-erased';

const touch = (customerId: string, stale: boolean): ProfileTouch => ({
  customerId,
  identities: [{ kind: 'phone', value: '+16505550932' }],
  channel: 'whatsapp',
  at: '2026-12-06T03:00:00.000Z',
  now: '2026-12-06T03:00:01.000Z',
  conversationId: `cv_${customerId}`,
  newConversation: false,
  inbound: true,
  name: { value: 'Lena Late', at: '2026-12-06T03:00:00.000Z' },
  ...(stale ? { stale: true } : {}),
});

/**
 * The resolver's profile write for an event whose customer was erased (or began to be) after it read
 * the profile: nothing is written on them, and the event is retried (UnavailableError, never the
 * PermanentError of the tombstone's `identities` count refusing the ADD of a set, which dead-lettered it).
 */
describe('a profile write that lands after an erasure began', () => {
  const local = useLocalStore(TABLE);
  const profile = async (customerId: string) =>
    (await documentClient(local.dynamo.client).get(getInput(TABLE, Keys.customer(customerId), true))).Item;

  for (const stale of [false, true]) {
    it(`leaves the tombstone as it is (${stale ? 'stale' : 'current'} touch)`, async () => {
      const customerId = `cu_tomb_${stale}`;
      const record = { erasedAt: '2026-12-06T03:00:00.500Z', erasedBy: 'admin' };
      const tombstone = { ...putTombstoneInput(TABLE, customerId, record).Item, identities: 1 };
      await documentClient(local.dynamo.client).put({ TableName: TABLE, Item: tombstone });
      const error = await local.repos.customers
        .touchProfile(touch(customerId, stale))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).code).toBe('customer_erased_meanwhile');
      expect(await profile(customerId)).toEqual(tombstone);
    });

    it(`adds nothing to a customer being erased (${stale ? 'stale' : 'current'} touch)`, async () => {
      const customerId = `cu_erasing_${stale}`;
      await local.repos.customers.touchProfile(touch(customerId, false));
      const db = documentClient(local.dynamo.client);
      await db.update(markErasingInput(TABLE, customerId, '2026-12-06T03:00:00.700Z', 'admin'));
      const before = await profile(customerId);
      const later = { ...touch(customerId, stale), channel: 'sms' as const, at: '2026-12-06T03:00:02.000Z' };
      await expect(local.repos.customers.touchProfile(later)).rejects.toBeInstanceOf(UnavailableError);
      expect(await profile(customerId)).toEqual(before);
    });
  }
});
