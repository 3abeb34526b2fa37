import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One DynamoDB call: its command (`PutItem`...), the keys it named, whether it read strongly, its units. */
export interface RecordedCall {
  command: string;
  pk: string;
  sk: string;
  consistent: boolean;
  units: number;
  failed: boolean;
}

const READS = /^(Get|Query|Scan|BatchGet)/;

/**
 * Whether a call is the sign-in's look at the caller's removal record (`AGENT_REMOVED#<id>`): made at most
 * once a minute per agent, by whichever request comes first, so a test of one request's cost leaves it out.
 */
export const isRemovalLook = (call: RecordedCall): boolean => call.pk.startsWith('AGENT_REMOVED#');

/** Whether a recorded call was a read. */
export const isRead = (call: RecordedCall): boolean => READS.test(call.command);

const text = (value: unknown): string =>
  typeof value === 'string' ? value : String((value as { S?: string } | undefined)?.S ?? '');

/**
 * Records every call of `client` into `calls` (or only its writes) with the ConsumedCapacity the API
 * (dynalite) reports, and a write whose condition failed as the 1 write unit DynamoDB bills for it
 * (dynalite reports nothing for a failed call).
 */
export function recordCalls(
  client: DynamoDBClient,
  calls: RecordedCall[] = [],
  options: { writesOnly?: boolean } = {},
): RecordedCall[] {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const key = (input.Key ?? input.Item ?? {}) as Record<string, unknown>;
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const where = {
        command,
        pk: text(key.pk),
        sk: text(key.sk),
        consistent: input.ConsistentRead === true,
      };
      const keep = !(options.writesOnly && READS.test(command));
      try {
        const out = await next(args);
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        // A batch call answers a list, one entry a table.
        const list = [consumed ?? []].flat() as Array<{ CapacityUnits?: number }>;
        const units = list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (keep) calls.push({ ...where, units, failed: false });
        return out;
      } catch (error) {
        const billed = (error as Error).name === 'ConditionalCheckFailedException' && !READS.test(command);
        if (keep) calls.push({ ...where, units: billed ? 1 : 0, failed: true });
        throw error;
      }
    },
    { step: 'initialize', name: 'callRecorder' },
  );
  return calls;
}

/**
 * The `dynamoClient` option of `startTestRuntime`/`useTestRuntime` that records every call of the
 * runtime's client into `calls` (a test clears it with `calls.length = 0`).
 */
export function recordInto(calls: RecordedCall[]): (client: DynamoDBClient) => DynamoDBClient {
  return (client) => {
    recordCalls(client, calls);
    return client;
  };
}
