import { buildMetaSendRequest } from '#shared/channels/meta/send.js';
import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';

/**
 * A Messenger or Instagram sender standing in for Meta: it builds the real Send API request, then holds
 * its answer (`providerMessageId`) until the test lets it go, so the test can deliver Meta's echo of the
 * message while our sender has not yet recorded the send.
 */
export class HeldMetaSender implements ChannelSender {
  readonly requests: Array<{ message: OutboundMessage; body: { message: { metadata?: string } } }> = [];
  #release: (() => void) | undefined;
  readonly #held = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  constructor(private readonly providerMessageId: string) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const request = buildMetaSendRequest(message, { pageAccessToken: 'page-token' });
    this.requests.push({ message, body: JSON.parse(request.body as string) });
    await this.#held;
    return { providerMessageId: this.providerMessageId };
  }

  /** Lets the held answer (and every later send's) go; again changes nothing. */
  release(): void {
    this.#release?.();
  }
}
