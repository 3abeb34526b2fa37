import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '#shared/store/table.js';

/** What one partition key (of the table, or of an index as `<index>:<value>`) took. */
export interface KeyUse {
  reads: number;
  rcu: number;
  writes: number;
  wcu: number;
}

/** Everything the meter saw since it was last taken. */
export interface Metered {
  calls: number;
  rcu: number;
  wcu: number;
  keys: Map<string, KeyUse>;
}

/** One metered call, for a per-call breakdown: what it touched and what it cost, table and indexes apart. */
export interface CallTrace {
  command: string;
  /** `pk | sk` of the item (or the queried partition, `index:value` for an index). */
  key: string;
  /** Table units as dynalite reports them (plus a failed conditional write's unit). */
  units: number;
  /** Index units DynamoDB would charge on top, per index partition. */
  index: Array<{ partition: string; units: number }>;
  bytes?: number;
}

type Item = Record<string, AttributeValue>;

/** An item's size as DynamoDB counts it: attribute names plus values (strings as UTF-8, numbers about their digits). */
function itemBytes(item: Item): number {
  const size = (value: AttributeValue): number => {
    if (value.S !== undefined) return Buffer.byteLength(value.S);
    if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
    if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
    if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
    if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + size(v), 0);
    if (value.M)
      return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + size(v), 0);
    return JSON.stringify(value).length;
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + size(value), 0);
}
type Input = Record<string, unknown> & { TableName?: string };

const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

const text = (value: AttributeValue | undefined): string | undefined =>
  value === undefined ? undefined : (value.S ?? value.N ?? JSON.stringify(value));

/** The partition key value a Query asks for: `<hash attribute> = :value` in its key condition. */
function queriedKey(input: Input, hashAttribute: string): string | undefined {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  const condition = String(input.KeyConditionExpression ?? '');
  for (const match of condition.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const [, name = '', placeholder = ''] = match;
    if ((names[name] ?? name) === hashAttribute) return text(values[placeholder]);
  }
  return undefined;
}

/**
 * Counts every DynamoDB call a client makes, with its ConsumedCapacity as the DynamoDB API (dynalite)
 * reports it, per partition key. dynalite charges the table only, so the meter adds what DynamoDB
 * charges on top: an index write for every write that changes what an index keeps of an item in it
 * (projection ALL: any change, at the item's size; KEYS_ONLY or INCLUDE: a change of its keys or
 * projected attributes, one unit) and an index delete where the write moves the item out of an index partition,
 * read from the item before and after the write with a second, unmetered client; and one write unit
 * for a conditional write that fails, which DynamoDB charges and dynalite does not report.
 */
export class DynamoMeter {
  /** While true, calls go through unmetered (and uninspected, which is faster). */
  paused = false;
  /** When set, told of every metered call. */
  onCall: ((call: CallTrace) => void) | undefined;
  #calls = 0;
  #rcu = 0;
  #wcu = 0;
  #keys = new Map<string, KeyUse>();
  readonly #indexes: Array<{
    name: string;
    hash: string;
    range: string | undefined;
    /** The attributes the index keeps of an item; undefined for projection ALL. */
    projected: string[] | undefined;
  }>;
  readonly #tableHash: string;
  readonly #tableRange: string | undefined;

  constructor(tableName: string) {
    const definition = tableDefinition(tableName);
    const hashOf = (schema: typeof definition.KeySchema) =>
      schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
    const rangeOf = (schema: typeof definition.KeySchema) =>
      schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    this.#tableHash = hashOf(definition.KeySchema) ?? 'pk';
    this.#tableRange = rangeOf(definition.KeySchema);
    this.#indexes = (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName ?? '',
      hash: hashOf(index.KeySchema) ?? '',
      range: rangeOf(index.KeySchema),
      projected:
        index.Projection?.ProjectionType === 'ALL'
          ? undefined
          : [
              ...[
                this.#tableHash,
                this.#tableRange,
                hashOf(index.KeySchema),
                rangeOf(index.KeySchema),
              ].filter((name): name is string => name !== undefined),
              ...(index.Projection?.NonKeyAttributes ?? []),
            ],
    }));
  }

  /** Meters `client`; `inspect` (another client of the same table, not metered) reads items around writes. */
  attach(client: DynamoDBClient, inspect: () => DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if (this.paused || (!READS.has(command) && !WRITES.has(command))) return next(args);
        // After serialising: the body is the request as DynamoDB reads it (marshalled by the document
        // client), and asking for the consumed capacity there changes nothing the caller sees.
        const request = args.request as { body?: string | Uint8Array; headers: Record<string, string> };
        const body = request.body ?? '{}';
        const input = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body)) as Input;
        input.ReturnConsumedCapacity = 'TOTAL';
        request.body = JSON.stringify(input);
        if (request.headers['content-length']) {
          request.headers['content-length'] = String(Buffer.byteLength(request.body));
        }
        this.#calls += 1;
        const keys = WRITES.has(command) ? this.#writtenKeys(command, input) : [];
        const trace: CallTrace = { command, key: this.#label(input, keys), units: 0, index: [] };
        const before = await Promise.all(keys.map((key) => this.#get(inspect(), input.TableName, key)));
        let out: Awaited<ReturnType<typeof next>>;
        try {
          out = await next(args);
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException && keys[0]) {
            this.#add(text(keys[0][this.#tableHash]) ?? '?', 'write', 1, trace);
          }
          this.onCall?.({ ...trace, command: `${command} (failed)` });
          throw error;
        }
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        const units = ([] as Array<{ CapacityUnits?: number }>)
          .concat((consumed ?? []) as never)
          .reduce((sum, c) => sum + (c?.CapacityUnits ?? 0), 0);
        if (READS.has(command)) this.#read(command, input, units, trace);
        else {
          const after = await Promise.all(keys.map((key) => this.#get(inspect(), input.TableName, key)));
          this.#written(keys, before, after, units, trace);
          if (after[0]) trace.bytes = itemBytes(after[0]);
        }
        this.onCall?.(trace);
        return out;
      },
      { step: 'build', priority: 'high', name: 'benchDynamoMeter' },
    );
    return client;
  }

  /** What was metered since the last take, and a fresh start. */
  take(): Metered {
    const taken = { calls: this.#calls, rcu: this.#rcu, wcu: this.#wcu, keys: this.#keys };
    this.#calls = 0;
    this.#rcu = 0;
    this.#wcu = 0;
    this.#keys = new Map();
    return taken;
  }

  #label(input: Input, keys: Item[]): string {
    const key = keys[0] ?? (input.Key as Item | undefined);
    if (key)
      return `${text(key[this.#tableHash])} | ${text(this.#tableRange ? key[this.#tableRange] : undefined)}`;
    const index = this.#indexes.find((i) => i.name === input.IndexName);
    const value = queriedKey(input, index ? index.hash : this.#tableHash) ?? '(scan)';
    return index ? `${index.name}:${value}` : `${value} (query)`;
  }

  #add(key: string, kind: 'read' | 'write', units: number, trace: CallTrace): void {
    if (kind === 'write' && this.#indexes.some((i) => key.startsWith(`${i.name}:`))) {
      trace.index.push({ partition: key, units });
    } else trace.units += units;
    const use = this.#keys.get(key) ?? { reads: 0, rcu: 0, writes: 0, wcu: 0 };
    if (kind === 'read') {
      use.reads += 1;
      use.rcu += units;
      this.#rcu += units;
    } else {
      use.writes += 1;
      use.wcu += units;
      this.#wcu += units;
    }
    this.#keys.set(key, use);
  }

  #read(command: string, input: Input, units: number, trace: CallTrace): void {
    if (command === 'BatchGetItemCommand') {
      const requested = Object.values(
        (input.RequestItems ?? {}) as Record<string, { Keys?: Item[] }>,
      ).flatMap((r) => r.Keys ?? []);
      for (const key of requested)
        this.#add(text(key[this.#tableHash]) ?? '?', 'read', units / requested.length, trace);
      return;
    }
    if (command === 'GetItemCommand') {
      this.#add(text((input.Key as Item)[this.#tableHash]) ?? '?', 'read', units, trace);
      return;
    }
    const index = this.#indexes.find((i) => i.name === input.IndexName);
    const value = queriedKey(input, index ? index.hash : this.#tableHash) ?? '(scan)';
    this.#add(index ? `${index.name}:${value}` : value, 'read', units, trace);
  }

  /** The primary keys a write touches. */
  #writtenKeys(command: string, input: Input): Item[] {
    const primary = (item: Item): Item => {
      const key: Item = {};
      for (const name of [this.#tableHash, this.#tableRange]) {
        if (name && item[name]) key[name] = item[name];
      }
      return key;
    };
    if (command === 'PutItemCommand') return [primary(input.Item as Item)];
    if (command !== 'BatchWriteItemCommand') return [input.Key as Item];
    return Object.values(
      (input.RequestItems ?? {}) as Record<
        string,
        Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>
      >,
    )
      .flat()
      .map((r) => (r.PutRequest ? primary(r.PutRequest.Item) : (r.DeleteRequest?.Key ?? {})));
  }

  async #get(client: DynamoDBClient, tableName: string | undefined, key: Item): Promise<Item | undefined> {
    const out = await client.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  #written(
    keys: Item[],
    before: Array<Item | undefined>,
    after: Array<Item | undefined>,
    units: number,
    trace: CallTrace,
  ): void {
    const each = keys.length ? units / keys.length : 0;
    keys.forEach((key, i) => {
      this.#add(text(key[this.#tableHash]) ?? '?', 'write', each, trace);
      for (const index of this.#indexes) {
        // An index is written only when what it keeps of the item changed: all of it (ALL), or its
        // keys and projected attributes (KEYS_ONLY, INCLUDE), which make a small index item.
        const kept = (item: Item | undefined) =>
          JSON.stringify(
            index.projected && item
              ? index.projected.map((name) => item[name] ?? null)
              : Object.entries(item ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
          );
        if (kept(before[i]) === kept(after[i])) continue;
        const at = (item: Item | undefined) =>
          item?.[index.hash] && (!index.range || item[index.range])
            ? {
                partition: `${index.name}:${text(item[index.hash])}`,
                entry: index.range ? text(item[index.range]) : '',
              }
            : undefined;
        const [old, now] = [at(before[i]), at(after[i])];
        if (old && (old.partition !== now?.partition || old.entry !== now.entry)) {
          this.#add(old.partition, 'write', 1, trace);
        }
        if (now) this.#add(now.partition, 'write', index.projected ? 1 : Math.max(1, each), trace);
      }
    });
  }
}
