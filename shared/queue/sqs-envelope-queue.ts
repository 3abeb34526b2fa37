import { setTimeout as sleep } from 'node:timers/promises';
import type {
  BatchResultErrorEntry,
  SendMessageBatchCommandOutput,
  SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { Envelope } from '#shared/domain/envelope.js';
import type { EnvelopeQueue } from '#shared/domain/ports.js';
import { PayloadTooLargeError, UnavailableError } from '#shared/errors.js';

/** SQS's largest message, and largest SendMessageBatch request, in bytes (1 MiB); attributes count too. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** SQS takes at most 10 entries per SendMessageBatch. */
const MAX_BATCH_ENTRIES = 10;

/** One SendMessageBatch entry, with the fields we always set made required. */
export type EnvelopeEntry = SendMessageBatchRequestEntry & { Id: string; MessageBody: string };

/** One SendMessageBatch request: the queue and up to 10 entries of at most 1 MiB in all. */
export interface EnvelopeBatchInput {
  QueueUrl: string;
  Entries: EnvelopeEntry[];
}

/** The bytes SQS counts for an entry: the body plus each attribute's name, data type and value. */
export function entryBytes(entry: EnvelopeEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody, 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    bytes += Buffer.byteLength(value.StringValue ?? '', 'utf8') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

/**
 * The SendMessageBatch entries for envelopes, one each, Id = index in `envelopes`; the body is the
 * envelope's JSON (what the resolver parses, on AWS and locally) and `kind`/`channel` attributes let
 * operators see what is queued without reading bodies. Throws PayloadTooLargeError for an envelope
 * SQS would refuse, before anything is sent.
 */
export function envelopeEntries(envelopes: readonly Envelope[]): EnvelopeEntry[] {
  return envelopes.map((envelope, index) => {
    const entry: EnvelopeEntry = {
      Id: String(index),
      MessageBody: JSON.stringify(envelope),
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: envelope.kind },
        channel: { DataType: 'String', StringValue: envelope.channel },
      },
    };
    const bytes = entryBytes(entry);
    if (bytes > SQS_MAX_MESSAGE_BYTES) {
      throw new PayloadTooLargeError(
        `envelope ${index} is ${bytes} bytes as an SQS message; SQS accepts at most ${SQS_MAX_MESSAGE_BYTES}`,
      );
    }
    return entry;
  });
}

/** Splits the envelopes into SendMessageBatch inputs of at most 10 entries and 1 MiB each, in order. */
export function sendMessageBatchInputs(
  queueUrl: string,
  envelopes: readonly Envelope[],
): EnvelopeBatchInput[] {
  return batchInputs(queueUrl, envelopeEntries(envelopes));
}

/** Splits entries into SendMessageBatch inputs of at most 10 entries and 1 MiB each, in order. */
export function batchInputs(queueUrl: string, entries: readonly EnvelopeEntry[]): EnvelopeBatchInput[] {
  const inputs: EnvelopeBatchInput[] = [];
  let current: EnvelopeBatchInput | undefined;
  let bytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (!current || current.Entries.length === MAX_BATCH_ENTRIES || bytes + size > SQS_MAX_MESSAGE_BYTES) {
      current = { QueueUrl: queueUrl, Entries: [] };
      inputs.push(current);
      bytes = 0;
    }
    current.Entries.push(entry);
    bytes += size;
  }
  return inputs;
}

/**
 * Sends one SendMessageBatch request: the webhooks use the signed-HTTPS call of shared/aws (no SDK in
 * their bundles), anything else may use the SDK client (sqs-sdk-batch.ts). An error that carries
 * `retryable: true` (throttling, a 5xx, a timeout) is retried like failed entries.
 */
export type SendMessageBatch = (
  input: EnvelopeBatchInput,
) => Promise<Pick<SendMessageBatchCommandOutput, 'Successful' | 'Failed'>>;

/** Options of SqsEnvelopeQueue. */
export interface SqsEnvelopeQueueOptions {
  /** Pauses before each retry of entries SQS reported as failed; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
  /** Waits `ms`; injectable so tests do not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends SendMessageBatch entries to one SQS queue, 10 at a time within 1 MiB. Resolves only when SQS has
 * accepted every entry; otherwise throws UnavailableError, so a webhook answers 5xx and the provider
 * retries (consumers are idempotent, so entries queued before the failure may safely arrive again).
 */
export class SqsBatchSender {
  readonly #send: SendMessageBatch;
  readonly #queueUrl: string;
  readonly #retryDelaysMs: readonly number[];
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(send: SendMessageBatch, queueUrl: string, options: SqsEnvelopeQueueOptions = {}) {
    this.#send = send;
    this.#queueUrl = queueUrl;
    this.#retryDelaysMs = options.retryDelaysMs ?? [50, 200];
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  async sendAll(entries: readonly EnvelopeEntry[]): Promise<void> {
    for (const input of batchInputs(this.#queueUrl, entries)) await this.#sendBatch(input);
  }

  /** Sends one batch, then resends only the entries SQS did not report as successful. */
  async #sendBatch(input: EnvelopeBatchInput): Promise<void> {
    let entries = input.Entries;
    for (let attempt = 1; ; attempt++) {
      let successful: ReadonlySet<string | undefined>;
      let failed: BatchResultErrorEntry[];
      try {
        const output = await this.#send({ ...input, Entries: entries });
        successful = new Set((output.Successful ?? []).map((result) => result.Id));
        failed = output.Failed ?? [];
      } catch (error) {
        const delay = this.#retryDelaysMs[attempt - 1];
        if (delay !== undefined && isRetryable(error)) {
          await this.#sleep(delay);
          continue;
        }
        throw new UnavailableError(`SQS SendMessageBatch failed; ${entries.length} entries not queued`, {
          cause: error,
        });
      }
      // An entry missing from both lists is not known to be queued, so it counts as failed.
      entries = entries.filter((entry) => !successful.has(entry.Id));
      if (entries.length === 0) return;
      const delay = this.#retryDelaysMs[attempt - 1];
      // A sender fault (a malformed entry) fails the same way every time.
      if (delay === undefined || failed.some((result) => result.SenderFault)) {
        const codes =
          [...new Set(failed.map((result) => result.Code ?? 'unknown'))].join(', ') || 'no result';
        throw new UnavailableError(
          `SQS did not queue ${entries.length} entries after ${attempt} attempts (${codes})`,
          { cause: failed },
        );
      }
      await this.#sleep(delay);
    }
  }
}

/** The EnvelopeQueue on Amazon SQS (standard queue): each envelope one message (see envelopeEntries). */
export class SqsEnvelopeQueue implements EnvelopeQueue {
  readonly #sender: SqsBatchSender;

  constructor(send: SendMessageBatch, queueUrl: string, options: SqsEnvelopeQueueOptions = {}) {
    this.#sender = new SqsBatchSender(send, queueUrl, options);
  }

  async enqueue(
    envelopes: readonly Envelope[],
    options: { delaySeconds?: number | undefined } = {},
  ): Promise<void> {
    const delaySeconds = Math.max(0, Math.min(900, Math.round(options.delaySeconds ?? 0)));
    const entries = envelopeEntries(envelopes);
    await this.#sender.sendAll(
      delaySeconds > 0 ? entries.map((entry) => ({ ...entry, DelaySeconds: delaySeconds })) : entries,
    );
  }
}

/** True for an error its thrower marked as worth retrying (throttling, a 5xx, a timeout). */
function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}
