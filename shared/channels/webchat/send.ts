import type { ChannelSender, OutboundMessage, SendResult } from '../../domain/outbound.js';
import type { Clock, EnvelopeQueue } from '../../domain/ports.js';
import { replyKeyOf } from '../../domain/reply-key.js';
import { webchatStatusEnvelope } from '../../domain/webchat/envelopes.js';

/**
 * The web chat's sender. A reply is already on the visitor's timeline, which their panel reads and
 * their live socket follows, so sending stores nothing more: it names the reply by its own id and
 * reports it `delivered` through the pipeline, with the reply's key so the status finds its item.
 * `read` comes from the visitor's panel. A redelivery sends the same status, applied once.
 */
export class WebchatSender implements ChannelSender {
  readonly #queue: EnvelopeQueue;
  readonly #clock: Clock;

  constructor(deps: { queue: EnvelopeQueue; clock: Clock }) {
    this.#queue = deps.queue;
    this.#clock = deps.clock;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const key = replyKeyOf(message);
    await this.#queue.enqueue([webchatStatusEnvelope(message.id, 'delivered', this.#clock.now(), key)]);
    return { providerMessageId: message.id, ...(key ? { keyEchoed: true } : {}) };
  }
}
