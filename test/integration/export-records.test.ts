import { describe, expect, it } from 'vitest';
import type { CustomerExport } from '#shared/domain/privacy.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const ADMIN = agentToken('export-records-admin-token');

/** Every place in a JSON value where an object has no key (how JSON writes a JS Set), by its path. */
function emptyObjects(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => emptyObjects(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value);
  if (entries.length === 0) return [path];
  return entries.flatMap(([key, inner]) => emptyObjects(inner, `${path}.${key}`));
}

/**
 * The export says to the person what is true of them: the sets the table keeps (tags, identities,
 * channels, merges) as arrays, their conversations named on each profile, no internal sentinel.
 * Before, tags came out `{}` (a DynamoDB set read as a JS Set, which JSON writes as `{}`), the kept
 * profile's `conversationIds` was `[]` beside the conversation the export listed, and an agent's name
 * was dated `0000-01-01T00:00:00.000Z`.
 */
describe('local runtime: the records of an export', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `admin-zoe:${ADMIN}:admin` } });
  const api = agentCaller(() => runtime.url, ADMIN);
  const write = async (phone: string, id: string, name: string) => {
    const customer = { kind: 'phone', value: phone } as const;
    const envelope = inboundText({ customer, providerMessageId: id, profileName: name });
    await runtime.inbound.send([JSON.stringify(envelope)]);
    await runtime.idle();
    return (
      await api<{ items: Array<{ id: string }> }>('GET', `/api/customers?q=${encodeURIComponent(phone)}`)
    ).items[0]?.id as string;
  };
  const exportOf = (id: string) => api<CustomerExport>('GET', `/api/customers/${id}/export`);

  it('writes sets as sorted arrays, names each profile’s conversations, and says who gave a name', async () => {
    const carla = await write('+16505550111', 'wamid.EXR1', 'Carla');
    await api('PATCH', `/api/customers/${carla}/tags`, { add: ['vip', 'carla-tag'] });
    await api('PATCH', `/api/customers/${carla}`, { name: 'Carla Gómez' });

    const alone = await exportOf(carla);
    expect(emptyObjects(alone.customers)).toEqual([]);
    expect(emptyObjects(alone.conversations)).toEqual([]);
    const [profile] = alone.customers;
    expect(profile).toMatchObject({
      id: carla,
      name: 'Carla Gómez',
      nameGivenBy: 'agent',
      tags: ['carla-tag', 'vip'],
      identities: ['phone#+16505550111'],
      channels: ['whatsapp'],
    });
    expect(profile).not.toHaveProperty('nameAt');
    expect(alone.conversations.map((c) => c.id)).toHaveLength(1);
    expect(profile?.conversationIds).toEqual(alone.conversations.map((c) => c.id));

    // A second customer, named by their WhatsApp profile, tagged, merged into the first.
    const dan = await write('+16505550222', 'wamid.EXR2', 'Dan');
    await api('PATCH', `/api/customers/${dan}/tags`, { add: ['b-tag'] });
    await api('POST', `/api/customers/${carla}/merge`, { customerId: dan });

    const group = await exportOf(carla);
    expect(emptyObjects(group.customers)).toEqual([]);
    const [kept, merged] = group.customers;
    expect(kept).toMatchObject({
      id: carla,
      tags: ['b-tag', 'carla-tag', 'vip'],
      mergedFrom: [dan],
      mergedTags: [`${dan}#b-tag`],
      identities: ['phone#+16505550111', 'phone#+16505550222'],
    });
    expect(merged).toMatchObject({ id: dan, tags: ['b-tag'], mergedInto: carla, name: 'Dan' });
    // A name a message gave keeps the time of that message.
    expect(merged?.nameAt).toBe('2025-06-08T20:59:43.000Z');
    expect(merged).not.toHaveProperty('nameGivenBy');
    const ids = group.conversations.map((c) => String(c.id));
    expect(ids).toHaveLength(2);
    const named = [kept, merged].flatMap((record) => (record?.conversationIds as string[] | undefined) ?? []);
    expect(named.sort()).toEqual([...ids].sort());
    expect(kept?.conversationIds).toHaveLength(1);
  }, 60_000);
});
