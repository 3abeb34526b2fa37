import { createHash } from 'node:crypto';
import type { Envelope } from '#shared/domain/envelope.js';
import type { Clock, EnvelopeQueue } from '#shared/domain/ports.js';
import { enqueueEnvelopes } from '#shared/http/enqueue.js';
import type { WebhookRequest } from '#shared/http/webhook.js';
import { loggedId, logger } from '#shared/log.js';
import { authenticateTwilioRequest, twilioSignedUrl } from './signature.js';

/** What every Twilio webhook needs. */
export interface TwilioWebhookDeps {
  queue: EnvelopeQueue;
  clock: Clock;
  /** The Auth Token we send with and check first (TWILIO_AUTH_TOKEN). */
  authToken: string;
  /**
   * TWILIO_PREVIOUS_AUTH_TOKEN: during a rotation, the old primary token, with which Twilio signs until
   * the new one (TWILIO_AUTH_TOKEN, a secondary token until then) is promoted; requests signed with either are taken.
   */
  previousAuthToken?: string | undefined;
  /** PUBLIC_BASE_URL: the origin Twilio calls, when it is not the URL the function sees. */
  publicBaseUrl?: string | undefined;
  maxBodyBytes: number;
}

/**
 * The authenticated parameters of a Twilio request, and the normalisers' context. `X-Twilio-Signature`
 * is checked before anything else (403), then that the body is a form (400).
 */
export function readTwilioRequest(req: WebhookRequest, deps: TwilioWebhookDeps) {
  const body = req.body;
  const params = authenticateTwilioRequest({
    authToken: deps.authToken,
    previousAuthToken: deps.previousAuthToken,
    url: twilioSignedUrl(req.url, deps.publicBaseUrl),
    header: req.header('x-twilio-signature'),
    contentType: req.header('content-type'),
    body,
    text: req.text,
  });
  const ctx = {
    receivedAt: deps.clock.now().toISOString(),
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
  return { params, ctx };
}

/** Queues the envelopes; a failure that is not already one of ours is 503, so Twilio retries. */
export async function enqueueTwilio(
  queue: EnvelopeQueue,
  envelopes: Envelope[],
  bodySha256: string,
): Promise<void> {
  const [first] = envelopes;
  await enqueueEnvelopes(queue, envelopes);
  logger.info('webhook accepted', {
    provider: 'twilio',
    bodySha256,
    envelopes: envelopes.length,
    ...(first ? { channel: first.channel, kind: first.kind, envelopeId: loggedId(first.id) } : {}),
  });
}
