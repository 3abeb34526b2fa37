import { createHash } from 'node:crypto';
import type { Clock, EnvelopeQueue } from '#shared/domain/ports.js';
import { UnauthorizedError } from '#shared/errors.js';
import { enqueueEnvelopes } from '#shared/http/enqueue.js';
import { createWebhook, jsonBody, queryOf, text, type Webhook } from '#shared/http/webhook.js';
import { logger } from '#shared/log.js';
import { type BodyContext, cutSummary, type Normalised, rejectionSummary } from '../normalised.js';
import { markAutomated } from './automation.js';
import { forOwnAccounts, type OwnAccounts } from './own-accounts.js';
import { verifyHandshake, verifyMetaSignature } from './signature.js';

/** What a webhook signed with a Meta app secret needs. */
export interface MetaWebhookDeps {
  queue: EnvelopeQueue;
  clock: Clock;
  appSecret: string;
  verifyToken: string;
  maxBodyBytes: number;
  /** Our numbers, Page and Instagram account: events for another one are dropped (see forOwnAccounts). */
  ownAccounts?: OwnAccounts | undefined;
  /** Apps that answer in our name without a person (META_AUTOMATION_APP_IDS): their echoes are marked. */
  automationAppIds?: readonly string[] | undefined;
}

/** One Meta product's webhook: where it listens and how its payload becomes envelopes. */
export interface MetaWebhookSpec {
  path: string;
  provider: string;
  normalise(payload: unknown, ctx: BodyContext): Normalised;
  /** The body of the 200 answer. */
  ack: string;
  /** The account ids of the samples Meta's dashboard sends with its "Test" button: always dropped. */
  sampleAccounts: readonly string[];
}

/**
 * A webhook in Meta's convention (WhatsApp Cloud API, Messenger, Instagram): `GET` answers the
 * verification handshake; `POST` checks the size, then `X-Hub-Signature-256` over the raw bytes, then
 * parses and normalises, and answers 200 only once every envelope is on the queue (a 5xx makes Meta
 * retry). A body that is not the provider's shape, or larger than Meta batches, is 400 (one log line);
 * the items skipped in a good body cost one log line together: their count and the first few by
 * pointer and reason, never by value. Events for an account that is not ours (another number, Page or
 * Instagram account, or a dashboard sample) are answered 200 too, and dropped with one log line: Meta
 * retries anything else, and they are no customer's.
 */
export function createMetaSignedWebhook(spec: MetaWebhookSpec, deps: MetaWebhookDeps): Webhook {
  return createWebhook(
    [
      {
        method: 'GET',
        path: spec.path,
        handle(req) {
          const challenge = verifyHandshake(queryOf(req.url), deps.verifyToken);
          if (challenge === undefined) {
            logger.warn('webhook handshake refused', { provider: spec.provider });
            return text(403, 'forbidden');
          }
          return text(200, challenge);
        },
      },
      {
        method: 'POST',
        path: spec.path,
        async handle(req) {
          const raw = req.body;
          if (!verifyMetaSignature(raw, req.header('x-hub-signature-256'), deps.appSecret)) {
            throw new UnauthorizedError('invalid or missing X-Hub-Signature-256');
          }
          const payload = jsonBody(req);
          const bodySha256 = createHash('sha256').update(raw).digest('hex');
          const { envelopes, rejected, cut } = spec.normalise(payload, {
            receivedAt: deps.clock.now().toISOString(),
            bodySha256,
          });
          if (cut && cut.length > 0) {
            logger.warn('webhook item cut to fit', {
              provider: spec.provider,
              bodySha256,
              ...cutSummary(cut),
            });
          }
          if (rejected.length > 0) {
            logger.warn('webhook item rejected', {
              provider: spec.provider,
              bodySha256,
              ...rejectionSummary(rejected),
            });
          }
          const own = forOwnAccounts(envelopes, deps.ownAccounts, spec.sampleAccounts);
          if (own.dropped > 0) {
            logger.warn('webhook event for another account dropped', {
              provider: spec.provider,
              bodySha256,
              dropped: own.dropped,
              accounts: own.accounts,
            });
          }
          await enqueueEnvelopes(deps.queue, markAutomated(own.kept, deps.automationAppIds));
          logger.info('webhook accepted', {
            provider: spec.provider,
            bodySha256,
            envelopes: own.kept.length,
          });
          return text(200, spec.ack);
        },
      },
    ],
    deps.maxBodyBytes,
  );
}
