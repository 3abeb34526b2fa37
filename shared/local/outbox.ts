import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender, OutboundMessage, SendResult } from '../domain/outbound.js';
import type { Outbox, OutboxEntry } from '../domain/outbox.js';
import { replyKeyOf } from '../domain/reply-key.js';
import type { OutboundQueue } from '../domain/reply-ports.js';
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
 * The channels whose real senders give the provider the reply's key to hand back on every status
 * (WhatsApp's Cloud API, Twilio with our status-callback URL); email keeps its reference locally, as
 * SES hands tags back only through a configuration set.
 */
const KEY_ECHOED: ReadonlySet<Channel> = new Set(['whatsapp', 'sms', 'voice']);

function optionalKey(replyKey: string | undefined): { replyKey?: string } {
  return replyKey ? { replyKey } : {};
}

/**
 * The local stand-in for every provider when no credentials are configured: it accepts each message,
 * keeps it (in memory and as a line of `outbox.jsonl`), and answers with a provider-shaped id.
 */
export class LocalOutbox implements Outbox {
  readonly #entries: OutboxEntry[] = [];
  readonly #file: string | undefined;

  constructor(options: { file?: string } = {}) {
    this.#file = options.file;
    if (this.#file) mkdirSync(dirname(this.#file), { recursive: true });
  }

  /** A ChannelSender that delivers to this outbox. */
  sender(): ChannelSender {
    return {
      send: async (message: OutboundMessage): Promise<SendResult> => {
        const providerMessageId = providerIdFor(message.channel, message.id);
        const replyKey = KEY_ECHOED.has(message.channel) ? replyKeyOf(message) : undefined;
        const entry = {
          providerMessageId,
          sentAt: new Date().toISOString(),
          message,
          ...optionalKey(replyKey),
        };
        this.#entries.push(entry);
        if (this.#file) appendFileSync(this.#file, `${JSON.stringify(entry)}\n`);
        return {
          providerMessageId,
          ...(message.channel === 'email'
            ? { messageIdHeader: `<${message.id}@outbox.threadline.local>` }
            : {}),
          ...(replyKey ? { keyEchoed: true } : {}),
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
