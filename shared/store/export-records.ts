import { AGENT_NAME_AT } from './params/customers.js';

/**
 * A stored value as JSON can carry it, anywhere within it: a DynamoDB set (the document client reads
 * one as a JS Set, which JSON writes as `{}`) becomes a sorted array (numbers by value, strings by
 * code unit, as `StringSetSchema` sorts), binary (a Uint8Array) its base64. Everything else as it is.
 */
export function plainValue(value: unknown): unknown {
  if (value instanceof Set) {
    const items = [...value].map(plainValue);
    return items.every((item) => typeof item === 'number')
      ? (items as number[]).sort((a, b) => a - b)
      : items.sort();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
  }
  return value;
}

/** The table's keys and its indexes' (the name index's, the customer list's...): no data about anyone. */
const TABLE_KEY = /^(pk|sk|gsi\d+(pk|sk))$/;

/**
 * A profile as its export shows it to the person: every attribute held but the keys, sets as sorted
 * arrays (see `plainValue`), and what the table keeps in its own terms said as it is true of them:
 * `conversationIds` lists the conversations of this profile's partition the export holds (profiles
 * write none since conversations became items of their own, so the attribute said `[]` beside them,
 * and an older one's set could name one gone); a name an agent gave has no time of its own (the table
 * keeps `nameAt` at year 0 so no provider's name replaces it): `nameGivenBy: "agent"` in its place.
 */
export function exportedProfile(
  item: Record<string, unknown>,
  conversationIds: readonly string[],
): Record<string, unknown> {
  const byAgent = item.nameAt === AGENT_NAME_AT;
  const held = Object.entries(item).filter(([key]) => !TABLE_KEY.test(key) && !(byAgent && key === 'nameAt'));
  return {
    ...Object.fromEntries(held.map(([key, value]) => [key, plainValue(value)])),
    conversationIds: [...conversationIds].sort(),
    ...(byAgent ? { nameGivenBy: 'agent' } : {}),
  };
}
