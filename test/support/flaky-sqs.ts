import {
  type SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import type { LocalQueue } from '#shared/local/queue.js';

/** How the fake SQS answers SendMessageBatch. */
export type SqsMode =
  /** Takes every entry. */
  | 'up'
  /** The call fails (503 ServiceUnavailable): nothing is queued. */
  | 'down'
  /** Takes the entries `refuse` lets through; reports the others as failed (InternalError, no sender fault). */
  | 'partial';

/**
 * Amazon SQS as SqsEnvelopeQueue sees it, over a LocalQueue: entries it takes go to the LocalQueue
 * (so the local resolver consumes them), and it fails as told. Lets the production EnvelopeQueue
 * adapter run inside the local runtime with SQS outages and partial batch failures.
 */
export class FlakySqs {
  mode: SqsMode = 'up';
  /** In `partial` mode, the entries (by body) SQS fails, on every attempt. */
  refuse: (body: string) => boolean = () => false;
  /** SendMessageBatch calls, and entries queued. */
  calls = 0;
  queued = 0;
  /** The bodies of every entry queued, in order. */
  readonly bodies: string[] = [];
  readonly #target: () => LocalQueue;

  constructor(target: () => LocalQueue) {
    this.#target = target;
  }

  /** This fake as the client SqsEnvelopeQueue takes (it only calls `send`). */
  asClient(): SQSClient {
    return this as unknown as SQSClient;
  }

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    this.calls += 1;
    const entries = command.input.Entries ?? [];
    if (this.mode === 'down') {
      throw new SQSServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: 'Service Unavailable (injected)',
      });
    }
    const refused =
      this.mode === 'partial' ? entries.filter((entry) => this.refuse(entry.MessageBody ?? '')) : [];
    const taken = entries.filter((entry) => !refused.includes(entry));
    if (taken.length > 0) await this.#target().send(taken.map((entry) => entry.MessageBody ?? ''));
    this.queued += taken.length;
    this.bodies.push(...taken.map((entry) => entry.MessageBody ?? ''));
    return {
      $metadata: { httpStatusCode: 200 },
      Successful: taken.map((entry, i) => ({
        Id: entry.Id,
        MessageId: `fake-${this.calls}-${i}`,
        MD5OfMessageBody: '',
      })),
      Failed: refused.map((entry) => ({
        Id: entry.Id,
        SenderFault: false,
        Code: 'InternalError',
        Message: 'injected',
      })),
    };
  }
}
