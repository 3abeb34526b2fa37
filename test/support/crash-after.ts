import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A write's input, as a crash's matcher reads it. */
export interface WriteInput {
  Key?: { pk?: unknown };
  UpdateExpression?: string;
  ConditionExpression?: string;
}

/** The write that brings a failed answer's wait back: the conversation's, conditional on the failed answer. */
export const isWaitAgain = (input: WriteInput): boolean =>
  String(input.Key?.pk ?? '').startsWith('CONVERSATION#') &&
  (input.UpdateExpression ?? '').startsWith('SET waitingSince = :at') &&
  (input.ConditionExpression ?? '').includes(':failed');

/**
 * A process that dies right after the write `matches` picks, once `armed`: the write reaches the table,
 * then its caller gets an error instead of the answer (a throw there, as a dying process leaves it: the
 * queue delivers the envelope or the reply again). Disarmed by the crash; `onCrash` runs at it.
 */
export class CrashAfter {
  armed = false;
  crashes = 0;

  constructor(
    private readonly matches: (input: WriteInput) => boolean,
    private readonly onCrash: () => void = () => {},
  ) {}

  /** Adds the middleware to the client and returns the same client. */
  attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next) => async (args) => {
        const hit = this.armed && this.matches(args.input as WriteInput);
        const out = await next(args);
        if (hit) {
          this.armed = false;
          this.crashes += 1;
          this.onCrash();
          throw new Error('died right after the write');
        }
        return out;
      },
      { step: 'initialize', name: 'crashAfterWrite' },
    );
    return client;
  }
}
