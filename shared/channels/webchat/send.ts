import type { Identity } from '../../domain/envelope.js';
import type { ChannelSender, OutboundMessage, SendResult } from '../../domain/outbound.js';
import type { Clock, EnvelopeQueue } from '../../domain/ports.js';
import { replyKeyOf } from '../../domain/reply-key.js';
import { PermanentSendError } from '../../domain/send-errors.js';
import { isUnverifiedVisitor } from '../../domain/webchat/anonymous-view.js';
import { webchatStatusEnvelope } from '../../domain/webchat/envelopes.js';

/** Whether a visitor has a live web-chat session (the store's session links: one read). */
export interface LiveSessions {
  hasLiveSession(identity: Identity, now: Date): Promise<boolean>;
}

/** The reason code of a web-chat reply to an anonymous visitor whose every session has ended. */
export const WEBCHAT_SESSION_ENDED = 'webchat_session_ended';

/**
 * The web chat's sender. A reply is already on the visitor's timeline, which their panel reads and
 * their live socket follows, so sending stores nothing more: it names the reply by its own id and
 * reports it `delivered` through the pipeline, with the reply's key so the status finds its item.
 * `read` comes from the visitor's panel. A redelivery sends the same status, applied once.
 * An anonymous visitor (`webchat_visitor`) with no live session left (they pressed End chat, signed in,
 * or it expired) can never see it, and no email carries it (theirs is never verified): refused for
 * good (`webchat_session_ended`), so it is `failed` with that reason and the conversation waits again,
 * as for any channel's refusal. One read of their session links, for such a visitor only; a signed-in
 * visitor's reply waits in their history for their next session (and their verified email's fallback).
 */
export class WebchatSender implements ChannelSender {
  readonly #queue: EnvelopeQueue;
  readonly #clock: Clock;
  readonly #sessions: LiveSessions | undefined;

  constructor(deps: { queue: EnvelopeQueue; clock: Clock; sessions?: LiveSessions | undefined }) {
    this.#queue = deps.queue;
    this.#clock = deps.clock;
    this.#sessions = deps.sessions;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (
      this.#sessions &&
      isUnverifiedVisitor(message.to) &&
      !(await this.#sessions.hasLiveSession(message.to, this.#clock.now()))
    ) {
      throw new PermanentSendError(
        "the visitor's chat has ended (End chat, a sign-in, or it expired) and an anonymous visitor has no email: nobody can see this reply. Reach them on another channel if they left one",
        WEBCHAT_SESSION_ENDED,
      );
    }
    const key = replyKeyOf(message);
    await this.#queue.enqueue([webchatStatusEnvelope(message.id, 'delivered', this.#clock.now(), key)]);
    return { providerMessageId: message.id, ...(key ? { keyEchoed: true } : {}) };
  }
}
