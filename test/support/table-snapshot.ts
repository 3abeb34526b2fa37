import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { nextConversationId } from '#shared/domain/conversation.js';
import { customerListPartition } from '#shared/store/customer-list.js';
import { inboxDueShardPartition, inboxShardPartition, nameShardPartition } from '#shared/store/keys.js';
import { NAME_WORD_PREFIX, nameWordPartition } from '#shared/store/name-words.js';

/** A table item as the document client reads it (string sets as Set). */
export type Item = Record<string, unknown>;

/** A client for inspecting a dynalite endpoint, apart from the one the code under test uses. */
export function inspectionClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Every item of the table (a Scan, paginated): for tests only, never on a request path. */
export async function scanTable(client: DynamoDBClient, table: string): Promise<Item[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of the local runtime's table at `endpoint` (`scanTable` on a client of its own, closed after). */
export async function readTable(endpoint: string, table = 'threadline'): Promise<Item[]> {
  const client = inspectionClient(endpoint);
  try {
    return await scanTable(client, table);
  } finally {
    client.destroy();
  }
}

/** The items of `after` that `before` did not hold as they are now (added or changed), by their keys. */
export function changedItems(before: readonly Item[], after: readonly Item[]): Item[] {
  const keyOf = (item: Item) => `${String(item.pk)}\u0000${String(item.sk)}`;
  const was = new Map(before.map((item) => [keyOf(item), JSON.stringify(item, setsAsArrays)]));
  return after.filter((item) => was.get(keyOf(item)) !== JSON.stringify(item, setsAsArrays));
}

const setsAsArrays = (_key: string, value: unknown) => (value instanceof Set ? [...value].sort() : value);

const CUSTOMER_ID = /\bcu_[0-9a-z]+/g;
const CONVERSATION_ID = /\bcv_[A-Za-z0-9_-]{22}/g;
/** Attributes whose value is the time of the run, not of the events: kept present, value dropped. */
const VOLATILE = new Set(['createdAt', 'updatedAt']);
/** Send leases: dropped entirely. */
const LEASE = /^lease/i;
/** How many conversations per customer are given a stable name. */
const CONVERSATION_CHAIN = 10;

/**
 * The table with the run's own randomness taken out, so two runs of the same events compare equal:
 * a generated customer id becomes `customer<identities>` (the identities that point to it: the one that
 * founded it and any it claimed later), an unknown one `customer<orphan>`; a conversation id becomes
 * `<customer>/conversation<n>` (n-th in the customer's deterministic chain), an unknown one stays as is;
 * run-time timestamps (createdAt) become `<run time>`, lease fields go; sets become sorted arrays; items
 * are sorted by key. Nothing else changes: any extra, missing or different item or attribute shows.
 */
export function normaliseTable(items: readonly Item[]): Item[] {
  const identitiesOf = new Map<string, string[]>();
  for (const item of items) {
    if (item.entity === 'customer' && typeof item.id === 'string' && !identitiesOf.has(item.id)) {
      identitiesOf.set(item.id, []);
    }
  }
  for (const item of items) {
    if (item.entity !== 'identity' || typeof item.customerId !== 'string') continue;
    const list = identitiesOf.get(item.customerId) ?? [];
    list.push(`${String(item.kind)}#${String(item.value)}`);
    identitiesOf.set(item.customerId, list);
  }
  const names = new Map<string, string>();
  for (const [customerId, identities] of identitiesOf) {
    const label = identities.length ? `customer<${identities.sort().join('+')}>` : 'customer<orphan>';
    names.set(customerId, label);
    let previous: string | undefined;
    for (let n = 1; n <= CONVERSATION_CHAIN; n++) {
      const conversationId = nextConversationId(customerId, previous);
      names.set(conversationId, `${label}/conversation${n}`);
      previous = conversationId;
    }
  }
  const rename = (text: string): string =>
    text
      .replace(CONVERSATION_ID, (id) => names.get(id) ?? id)
      .replace(CUSTOMER_ID, (id) => names.get(id) ?? 'customer<orphan>');
  const normalised = items.map((item) => normaliseValue(withShardNamed(item), rename) as Item);
  const key = (item: Item) => `${String(item.pk)}\u0000${String(item.sk)}`;
  return normalised.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * An index partition that is the shard its item's (random) id picks, named `<shard of id>`: two runs
 * compare equal, and a conversation or profile in the wrong shard still shows. The metrics' shard too.
 */
function withShardNamed(item: Item): Item {
  // A day's counters sit in the shard a hash of the (random) conversation id picks; they carry no id.
  if (item.entity === 'metrics' && typeof item.pk === 'string') {
    return { ...item, pk: item.pk.replace(/#\d+$/, '#<shard of a conversation id>') };
  }
  const { gsi1pk, id, status } = item;
  // A name's word entry sits in the shard a hash of the (random) customer id and its place picks.
  if (item.entity === 'customer_name_word' && typeof gsi1pk === 'string') {
    const place = Number(String(item.sk).slice(NAME_WORD_PREFIX.length));
    const right = gsi1pk === nameWordPartition(String(item.customerId), place);
    return right ? { ...item, gsi1pk: gsi1pk.replace(/#\d+$/, '#<shard of id>') } : item;
  }
  // A profile's place in the customer list sits in the shard a hash of the (random) customer id picks.
  const { gsi3pk } = item;
  if (item.entity === 'customer' && typeof gsi3pk === 'string' && typeof id === 'string') {
    const right = gsi3pk === customerListPartition(id);
    if (right) return withShardNamed({ ...item, gsi3pk: gsi3pk.replace(/#\d+$/, '#<shard of id>') });
  }
  if (typeof gsi1pk !== 'string' || typeof id !== 'string') return item;
  const right =
    (item.entity === 'conversation' &&
      typeof status === 'string' &&
      gsi1pk === inboxShardPartition(status, id)) ||
    (item.entity === 'customer' && gsi1pk === nameShardPartition(id));
  const named = right ? { ...item, gsi1pk: gsi1pk.replace(/#\d+$/, '#<shard of id>') } : item;
  const { gsi2pk } = item;
  const dueRight =
    typeof gsi2pk === 'string' && gsi2pk === inboxDueShardPartition(String(gsi2pk.split('#')[1]), id);
  return dueRight ? { ...named, gsi2pk: gsi2pk.replace(/#\d+$/, '#<shard of id>') } : named;
}

function normaliseValue(value: unknown, rename: (text: string) => string): unknown {
  if (typeof value === 'string') return rename(value);
  if (value instanceof Set) {
    return [...value].map((v) => normaliseValue(v, rename)).sort((a, b) => compare(a, b));
  }
  if (Array.isArray(value)) return value.map((v) => normaliseValue(v, rename));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (LEASE.test(k)) continue;
      out[k] = VOLATILE.has(k) ? '<run time>' : normaliseValue(v, rename);
    }
    return out;
  }
  return value;
}

function compare(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The first item that differs between two normalised tables, for a readable failure. */
export function firstDifference(expected: readonly Item[], actual: readonly Item[]): string | undefined {
  // The raw payload is long and the same whenever the rest is: left out of the message.
  const byKey = (items: readonly Item[]) =>
    new Map(items.map(({ raw: _raw, ...item }) => [`${item.pk} ${item.sk}`, canonical(item)]));
  const want = byKey(expected);
  const got = byKey(actual);
  for (const [key, json] of want) {
    if (!got.has(key)) return `missing ${key}: ${json}`;
    if (got.get(key) !== json) return `differs ${key}:\n  expected ${json}\n  actual   ${got.get(key)}`;
  }
  for (const [key, json] of got) if (!want.has(key)) return `extra ${key}: ${json}`;
  if (expected.length !== actual.length) return `expected ${expected.length} items, got ${actual.length}`;
  return undefined;
}

/** JSON with object keys sorted, so equal items print equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
