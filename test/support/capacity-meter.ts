import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What a stretch of work cost in DynamoDB: calls and capacity units, split by what they touched. */
export interface CapacityFigures {
  calls: number;
  read: number;
  write: number;
  /** The part of `calls`/`write`/`read` spent on metrics items (pk `METRICS...`). */
  metrics: { calls: number; read: number; write: number };
  /** Calls by command name, for a reader who wants to see where they went. */
  byCommand: Record<string, number>;
}

/** Counts every call of a DynamoDB client and the ConsumedCapacity the API (dynalite) reports for it. */
export interface CapacityMeter {
  figures(): CapacityFigures;
  reset(): void;
}

const READS = /^(Get|Query|Scan|BatchGet)/;

function empty(): CapacityFigures {
  return { calls: 0, read: 0, write: 0, metrics: { calls: 0, read: 0, write: 0 }, byCommand: {} };
}

function touchesMetrics(input: Record<string, unknown>): boolean {
  const pk = (input.Key as { pk?: unknown } | undefined)?.pk;
  const value = typeof pk === 'object' && pk !== null ? (pk as { S?: unknown }).S : pk;
  return typeof value === 'string' && value.startsWith('METRICS');
}

/**
 * Adds a middleware to `client` that asks for ReturnConsumedCapacity on every call and adds it up.
 * Reads are Get/Query/Scan/BatchGet; everything else is counted as writes.
 */
export function meterClient(client: DynamoDBClient): CapacityMeter {
  let totals = empty();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const name = context.commandName ?? 'unknown';
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{
        CapacityUnits?: number;
      }>;
      const units = list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      const kind = READS.test(name) ? 'read' : 'write';
      totals.calls += 1;
      totals[kind] += units;
      totals.byCommand[name] = (totals.byCommand[name] ?? 0) + 1;
      if (touchesMetrics(input)) {
        totals.metrics.calls += 1;
        totals.metrics[kind] += units;
      }
      return out;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
  return {
    figures: () => structuredClone(totals),
    reset: () => {
      totals = empty();
    },
  };
}

/** Writes items straight into the table, 25 to a BatchWriteItem, retrying what comes back unprocessed. */
export async function seedItems(
  client: DynamoDBClient,
  table: string,
  items: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}
