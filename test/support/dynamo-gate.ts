import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SimulatedCrash } from './dynamo-faults.js';

/** One DynamoDB call as the gate sees it: its operation and its input as JSON. */
export interface GatedCall {
  operation: string;
  body: string;
}

/**
 * Holds the DynamoDB calls a test names until it lets each go, so two runs of the same work meet at
 * one step in the order the test chooses, whatever the machine's timing: no sleep decides a race.
 * It can also crash a named call once: the call is applied, then its caller gets a SimulatedCrash.
 */
export class DynamoGate {
  #holding: { match: (call: GatedCall) => boolean; left: number } | undefined;
  #crashing: ((call: GatedCall) => boolean) | undefined;
  readonly #held: Array<() => void> = [];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];

  /** Holds the next `times` calls that match. */
  hold(match: (call: GatedCall) => boolean, times: number): void {
    this.#holding = { match, left: times };
  }

  /** Crashes the next call that matches, once, after it was applied. */
  crashAfter(match: (call: GatedCall) => boolean): void {
    this.#crashing = match;
  }

  /** Resolves once `count` calls are held (released ones included). */
  arrived(count: number): Promise<void> {
    if (this.#held.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Lets the held call that arrived `index`-th (from 0) go on. */
  release(index: number): void {
    const go = this.#held[index];
    if (!go) throw new Error(`no held call ${index}`);
    go();
  }

  /** Adds the middleware to the client and returns the same client. */
  attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next) => async (args) => {
        const call = callOf(args);
        if (this.#crashing?.(call)) {
          this.#crashing = undefined;
          await next(args).catch(() => undefined);
          throw new SimulatedCrash(0);
        }
        const holding = this.#holding;
        if (holding && holding.left > 0 && holding.match(call)) {
          holding.left -= 1;
          await new Promise<void>((resolve) => {
            this.#held.push(resolve);
            for (const waiter of this.#waiters.filter((w) => w.count <= this.#held.length)) {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              waiter.resolve();
            }
          });
        }
        return next(args);
      },
      { step: 'build', name: 'threadlineGate', override: true },
    );
    return client;
  }
}

/** The operation (from `X-Amz-Target`) and the input of the request being built, as JSON. */
export function callOf(args: { request?: unknown; input?: unknown }): GatedCall {
  const request = args.request as { headers?: Record<string, string> } | undefined;
  const target = request?.headers?.['x-amz-target'] ?? request?.headers?.['X-Amz-Target'] ?? '';
  return { operation: target.slice(target.indexOf('.') + 1) || 'unknown', body: JSON.stringify(args.input) };
}

/** Routing's read of the customer's recent items: each message's run makes it once its item is written. */
export const recentItemsRead = (call: GatedCall): boolean =>
  call.operation === 'Query' &&
  call.body.includes('"ScanIndexForward":false') &&
  call.body.includes('"Limit":12');

/**
 * Routing's look for the AI's reply an earlier delivery of the message wrote: only a delivery that did
 * not write the message's item makes it (a twin, or a retry).
 */
export const earlierReplyRead = (call: GatedCall): boolean =>
  call.operation === 'GetItem' && call.body.includes('#reply:ai:');

/** The write that hands the conversation off (the escalation kept on the conversation item). */
export const escalationWrite = (call: GatedCall): boolean =>
  call.operation === 'UpdateItem' && call.body.includes('escalatedItemId');
