import { type DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';

/** The DynamoDB operations that change the table; only these are counted as writes. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Thrown by the injector after the chosen write: the resolver "crashes" with the write applied. */
export class SimulatedCrash extends Error {
  constructor(readonly write: number) {
    super(`simulated crash after write ${write}`);
    this.name = 'SimulatedCrash';
  }
}

/** One DynamoDB call as the injector saw it. */
export interface DynamoCall {
  operation: string;
  /** The write's 1-based number, for writes. */
  write?: number;
  /** Why it did not complete normally. */
  fault?: 'crash-after' | 'throttled';
}

/**
 * Fault injection below the store: a middleware on a DynamoDB client (shared by every
 * DynamoDBDocumentClient made from it) that counts write commands and can
 * - crash after the k-th write: the write reaches the table, then the caller gets a SimulatedCrash
 *   instead of the answer (as a process dying right after the call would leave things), once;
 * - throttle: answer ProvisionedThroughputExceededException without sending, while `throttle` says so.
 * It sits in the build step, before the SDK's retry middleware, so one command is one count and an
 * injected fault is not retried by the SDK: it reaches the store, as a throttle that outlasts the
 * SDK's retries would.
 */
export class DynamoFaults {
  /** Crash once, right after this write (1-based) was applied; undefined for no crash. */
  crashAfterWrite: number | undefined;
  /** Throttle calls while this answers true. */
  throttle: (call: { operation: string; isWrite: boolean }) => boolean = () => false;
  /** Write commands sent so far (including those that failed their condition). */
  writes = 0;
  /** Calls throttled so far. */
  throttled = 0;
  /** Every call, in order. */
  readonly calls: DynamoCall[] = [];
  #crashed = false;

  constructor(options: { crashAfterWrite?: number } = {}) {
    this.crashAfterWrite = options.crashAfterWrite;
  }

  /** Whether the planned crash happened. */
  get crashed(): boolean {
    return this.#crashed;
  }

  /** Adds the middleware to the client and returns the same client. */
  attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next) => async (args) => {
        const operation = operationOf(args);
        const isWrite = WRITE_OPERATIONS.has(operation);
        const call: DynamoCall = { operation };
        this.calls.push(call);
        if (this.throttle({ operation, isWrite })) {
          this.throttled += 1;
          call.fault = 'throttled';
          throw new ProvisionedThroughputExceededException({
            message: 'The level of configured provisioned throughput for the table was exceeded (injected)',
            $metadata: { httpStatusCode: 400 },
          });
        }
        if (!isWrite) return next(args);
        const write = ++this.writes;
        call.write = write;
        if (this.#crashed || write !== this.crashAfterWrite) return next(args);
        this.#crashed = true;
        call.fault = 'crash-after';
        // The write is applied (or its condition fails) whatever the answer; the answer is lost.
        await next(args).catch(() => undefined);
        throw new SimulatedCrash(write);
      },
      { step: 'build', name: 'threadlineFaultInjection', override: true },
    );
    return client;
  }

  /** The operation of the k-th write, for messages. */
  writeOperation(k: number): string | undefined {
    return this.calls.find((call) => call.write === k)?.operation;
  }
}

/** `PutItem` from the `X-Amz-Target: DynamoDB_20120810.PutItem` header of the request being built. */
function operationOf(args: { request?: unknown }): string {
  const request = args.request as { headers?: Record<string, string> } | undefined;
  const target = request?.headers?.['x-amz-target'] ?? request?.headers?.['X-Amz-Target'] ?? '';
  return target.slice(target.indexOf('.') + 1) || 'unknown';
}
