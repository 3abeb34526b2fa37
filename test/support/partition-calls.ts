import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** One item call a mocked document client received, by the partition key it names. */
export interface PartitionCall {
  command: string;
  kind: 'read' | 'write';
  pk: string;
}

/** The partition a Query's key condition names (`pk = :value`). */
function queriedPartition(input: {
  KeyConditionExpression?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}): string {
  const name = /\bpk\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '')?.[1];
  return String(name ? input.ExpressionAttributeValues?.[name] : undefined);
}

/**
 * Every item call of a mocked document client with the partition it names, as `dynamodb:LeadingKeys`
 * sees it: the key of a get, put, update or delete, the key condition's `pk` of a query, each key of a
 * batch get (under the call `BatchGetItem`). Anything else is listed with the partition `?`, so a test
 * of partitions fails on a call it does not know.
 */
export function partitionCalls(stub: {
  calls(): ReadonlyArray<{ args: readonly unknown[] }>;
}): PartitionCall[] {
  return stub.calls().flatMap((call): PartitionCall[] => {
    const command = call.args[0] as { input: Record<string, unknown> };
    const input = command.input as {
      Key?: { pk?: unknown };
      Item?: { pk?: unknown };
      KeyConditionExpression?: string;
      ExpressionAttributeValues?: Record<string, unknown>;
      RequestItems?: Record<string, { Keys?: Array<{ pk?: unknown }> }>;
    };
    if (command instanceof GetCommand)
      return [{ command: 'GetItem', kind: 'read', pk: String(input.Key?.pk) }];
    if (command instanceof QueryCommand)
      return [{ command: 'Query', kind: 'read', pk: queriedPartition(input) }];
    if (command instanceof BatchGetCommand)
      return Object.values(input.RequestItems ?? {}).flatMap((request) =>
        (request.Keys ?? []).map((key) => ({
          command: 'BatchGetItem',
          kind: 'read' as const,
          pk: String(key.pk),
        })),
      );
    if (command instanceof PutCommand)
      return [{ command: 'PutItem', kind: 'write', pk: String(input.Item?.pk) }];
    if (command instanceof UpdateCommand)
      return [{ command: 'UpdateItem', kind: 'write', pk: String(input.Key?.pk) }];
    if (command instanceof DeleteCommand)
      return [{ command: 'DeleteItem', kind: 'write', pk: String(input.Key?.pk) }];
    return [{ command: command.constructor.name, kind: 'write', pk: '?' }];
  });
}

/** The partitions of `calls` that start with none of `prefixes`. */
export function outsidePartitions(calls: readonly PartitionCall[], prefixes: readonly string[]): string[] {
  return calls.filter((c) => !prefixes.some((p) => c.pk.startsWith(p))).map((c) => `${c.command} ${c.pk}`);
}

/** The prefixes some call of `calls` uses, in the order of `prefixes`. */
export function prefixesUsed(calls: readonly PartitionCall[], prefixes: readonly string[]): string[] {
  return prefixes.filter((p) => calls.some((c) => c.pk.startsWith(p)));
}
