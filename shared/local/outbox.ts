import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender, OutboundMessage, SendResult } from '../domain/outbound.js';
import type { Outbox, OutboxEntry } from '../domain/outbox.js';
import { replyKeyOf } from '../domain/reply-key.js';
import type { OutboundQueue } from '../domain/reply-ports.js';
import { tailLines } from './file-tail.js';
import type { OutboxStatuses } from './outbox-statuses.js';
import { PRIVATE_FILE, privateFolder } from './private-files.js';
import type { LocalQueue } from './queue.js';

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** Provider-shaped ids, so status callbacks posted by hand look like the real ones. */
function providerIdFor(channel: Channel, replyId: string): string {
  switch (channel) {
    case 'whatsapp':
      return `wamid.outbox.${digest(replyId, 24)}`;
    case 'sms':
    case 'voice':
      return `SM${digest(replyId, 32)}`;
    case 'email':
      return `outbox-${digest(replyId, 24)}`;
    default:
      return `m_outbox_${digest(replyId, 24)}`;
  }
}

/**
 * The channels whose real senders give the provider the reply's key to hand back on its statuses
 * (WhatsApp's Cloud API, Twilio with our status-callback URL); email keeps its reference locally, as
 * SES hands tags back only through a configuration set.
 */
const KEY_GIVEN: ReadonlySet<Channel> = new Set(['whatsapp', 'sms', 'voice']);

/**
 * Of those, the channels whose every status carries the key (our own signed callback URL): the sender
 * links no reference. WhatsApp is not one: a status may come without `biz_opaque_callback_data`.
 */
const KEY_ECHOED: ReadonlySet<Channel> = new Set(['sms', 'voice']);

function optionalKey(replyKey: string | undefined): { replyKey?: string } {
  return replyKey ? { replyKey } : {};
}

/** How many of the newest entries of `outbox.jsonl` the outbox shows again after a restart. */
export const OUTBOX_KEPT_ON_START = 1000;

/** The most of the file's end read on start: the newest entries, however long the file grew. */
const OUTBOX_READ_BYTES = 8 * 1024 * 1024;

/** Whether a parsed line is an entry this outbox wrote (a torn or foreign line is skipped). */
function isEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Partial<OutboxEntry>;
  return (
    typeof entry.providerMessageId === 'string' &&
    typeof entry.sentAt === 'string' &&
    typeof entry.message === 'object' &&
    entry.message !== null
  );
}

/**
 * The newest entries of `outbox.jsonl` (at most OUTBOX_KEPT_ON_START, from at most its last 8 MiB),
 * oldest first; none when there is no file. Before, a restart showed an empty outbox though the file
 * held everything sent.
 */
function readOutboxFile(file: string): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const line of tailLines(file, OUTBOX_READ_BYTES) ?? []) {
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isEntry(parsed)) entries.push(parsed);
    } catch {
      // A line torn by a crash mid-write: skipped.
    }
  }
  return entries.slice(-OUTBOX_KEPT_ON_START);
}

/**
 * The local stand-in for every provider when no credentials are configured: it accepts each message,
 * keeps it (in memory and as a line of `outbox.jsonl`, whose newest entries it reads back on start),
 * and answers with a provider-shaped id; with `reportTo`, it then reports the message `sent`, as a
 * provider's status callback would.
 */
export class LocalOutbox implements Outbox {
  readonly #entries: OutboxEntry[] = [];
  readonly #file: string | undefined;
  #statuses: OutboxStatuses | undefined;

  constructor(options: { file?: string } = {}) {
    this.#file = options.file;
    if (this.#file) {
      privateFolder(dirname(this.#file));
      this.#entries.push(...readOutboxFile(this.#file));
    }
  }

  /** Reports each message taken from now on to `statuses` (see OutboxStatuses). */
  reportTo(statuses: OutboxStatuses): void {
    this.#statuses = statuses;
  }

  /** A ChannelSender that delivers to this outbox. */
  sender(): ChannelSender {
    return {
      send: async (message: OutboundMessage): Promise<SendResult> => {
        const providerMessageId = providerIdFor(message.channel, message.id);
        const replyKey = KEY_GIVEN.has(message.channel) ? replyKeyOf(message) : undefined;
        const entry = {
          providerMessageId,
          sentAt: new Date().toISOString(),
          message,
          ...optionalKey(replyKey),
        };
        this.#entries.push(entry);
        // The line written is the provider's acceptance; its status follows, as a provider's callback.
        if (this.#file) appendFileSync(this.#file, `${JSON.stringify(entry)}\n`, { mode: PRIVATE_FILE });
        await this.#statuses?.report(entry);
        return {
          providerMessageId,
          ...(message.channel === 'email'
            ? { messageIdHeader: `<${message.id}@outbox.threadline.local>` }
            : {}),
          ...(replyKey && KEY_ECHOED.has(message.channel) ? { keyEchoed: true } : {}),
        };
      },
    };
  }

  /** Everything sent, oldest first. */
  entries(): OutboxEntry[] {
    return [...this.#entries];
  }
}

/** The outbound queue of the local runtime. */
export class LocalOutboundQueue implements OutboundQueue {
  readonly #queue: LocalQueue;
  constructor(queue: LocalQueue) {
    this.#queue = queue;
  }
  async enqueue(
    message: OutboundMessage,
    options: { delaySeconds?: number | undefined } = {},
  ): Promise<void> {
    await this.#queue.send([JSON.stringify(message)], options);
  }
}
