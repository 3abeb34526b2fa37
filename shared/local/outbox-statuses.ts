import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Channel, Provider, StatusEnvelope } from '../domain/envelope.js';
import type { OutboxEntry } from '../domain/outbox.js';
import type { Clock, EnvelopeQueue } from '../domain/ports.js';
import { replyKeyOf } from '../domain/reply-key.js';
import { loggedId, logger } from '../log.js';
import { type DynamoRepositories, storePorts } from '../store/dynamo-repositories.js';
import { randomIds } from '../store/ids.js';
import { tailLines } from './file-tail.js';
import type { LocalOutbox } from './outbox.js';
import { PRIVATE_FILE } from './private-files.js';

/** The provider whose webhook would report a status of a message on each channel the outbox fakes. */
const PROVIDER_OF: Record<Channel, Provider> = {
  whatsapp: 'whatsapp',
  sms: 'twilio',
  voice: 'twilio',
  messenger: 'meta',
  instagram: 'meta',
  email: 'ses',
  webchat: 'webchat',
};

/** The most of the reported file's end read on start (about 8,000 provider ids, past the outbox's 1,000). */
const REPORTED_READ_BYTES = 512 * 1024;

/**
 * The `sent` status a provider reports for a message it took, with the reply's key (as WhatsApp's
 * `biz_opaque_callback_data`, Twilio's `reply` callback parameter, an SES tag, Messenger's echo
 * `metadata` hand it back), so it takes the same path as a real status: one write to the reply's item,
 * which records the provider id there when the sender died before it did. Its id follows from the
 * provider id: a status reported again (after a restart) is the same event.
 */
export function outboxStatusOf(entry: OutboxEntry, now: Date): StatusEnvelope {
  const { providerMessageId, message } = entry;
  const provider = PROVIDER_OF[message.channel];
  const replyKey = entry.replyKey ?? replyKeyOf(message);
  const at = now.toISOString();
  return {
    kind: 'status',
    id: `outbox:sent:${providerMessageId}`,
    provider,
    channel: message.channel,
    occurredAt: at,
    receivedAt: at,
    rawRef: `${provider}:outbox:${providerMessageId}#sent`,
    providerMessageId,
    status: 'sent',
    ...(replyKey ? { replyKey } : {}),
  };
}

/** The provider ids at the end of the reported file (one a line); none when there is no file. */
function readReported(file: string): Set<string> | undefined {
  const lines = tailLines(file, REPORTED_READ_BYTES);
  return lines && new Set(lines.filter((line) => line !== ''));
}

/**
 * The outbox's statuses, as a provider's callbacks: each message the outbox takes is reported `sent`
 * on the envelope queue the webhooks enqueue to, then its provider id is written to `file` (reported).
 * An entry of `outbox.jsonl` whose id is not there (the runtime died between the two, or the queue
 * failed) is reported on the next start, as a provider retries a callback that was not answered.
 */
export class OutboxStatuses {
  readonly #queue: EnvelopeQueue;
  readonly #clock: Clock;
  readonly #file: string | undefined;

  constructor(options: { queue: EnvelopeQueue; clock: Clock; file?: string | undefined }) {
    this.#queue = options.queue;
    this.#clock = options.clock;
    this.#file = options.file;
  }

  /**
   * Reports an entry just taken. A status the queue refuses is not the send's failure (the provider
   * took the message): logged, and left to the next start.
   */
  async report(entry: OutboxEntry): Promise<void> {
    try {
      await this.#queue.enqueue([outboxStatusOf(entry, this.#clock.now())]);
    } catch (error) {
      logger.warn('outbox status not queued; reported again on the next start', {
        channel: entry.message.channel,
        providerMessageId: loggedId(entry.providerMessageId),
        error: (error as Error).name,
      });
      return;
    }
    this.#reported(entry.providerMessageId);
  }

  /**
   * The entries read on start whose status was never reported (none on the first start with this
   * file: the outbox reported no statuses before it, and those replies were recorded by their sender).
   */
  unreported(entries: readonly OutboxEntry[]): OutboxEntry[] {
    if (!this.#file) return [];
    const reported = readReported(this.#file);
    if (!reported) {
      writeFileSync(this.#file, entries.map((entry) => `${entry.providerMessageId}\n`).join(''), {
        mode: PRIVATE_FILE,
      });
      return [];
    }
    return entries.filter((entry) => !reported.has(entry.providerMessageId));
  }

  /**
   * Reports, before any sender runs, the statuses a killed runtime did not: each applied by `apply`
   * (the resolver's status path), so a reply whose sender died after the outbox took it is found sent
   * by its redelivery; one that cannot be applied now is queued for the resolver instead.
   */
  async replay(entries: readonly OutboxEntry[], apply: (status: StatusEnvelope) => Promise<unknown>) {
    for (const entry of this.unreported(entries)) {
      const status = outboxStatusOf(entry, this.#clock.now());
      try {
        await apply(status);
        this.#reported(entry.providerMessageId);
      } catch {
        await this.report(entry);
      }
      logger.info('outbox status reported again after a restart', {
        channel: entry.message.channel,
        providerMessageId: loggedId(entry.providerMessageId),
      });
    }
  }

  #reported(providerMessageId: string): void {
    if (this.#file) appendFileSync(this.#file, `${providerMessageId}\n`, { mode: PRIVATE_FILE });
  }
}

/**
 * Has `outbox` report its statuses on the webhooks' queue (its reported ids kept under `dataDir`),
 * and first applies, through the resolver, those a killed runtime left unreported.
 */
export async function reportOutboxStatuses(
  outbox: LocalOutbox,
  parts: {
    repos: DynamoRepositories;
    clock: Clock;
    dataDir: string | undefined;
    webhookQueue: EnvelopeQueue;
  },
): Promise<void> {
  const { repos, clock, dataDir } = parts;
  const file = dataDir ? join(dataDir, 'outbox-reported.txt') : undefined;
  const statuses = new OutboxStatuses({ queue: parts.webhookQueue, clock, file });
  const resolver = { store: storePorts(repos), clock, ids: randomIds };
  await statuses.replay(outbox.entries(), (status) => receiveEnvelope(resolver, status));
  outbox.reportTo(statuses);
}
