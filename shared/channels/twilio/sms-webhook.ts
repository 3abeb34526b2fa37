import { REPLY_KEY_PARAM } from '#shared/domain/reply-key.js';
import { createWebhook, queryOf, text, type Webhook } from '#shared/http/webhook.js';
import { logger } from '#shared/log.js';
import { normaliseTwilioStatus, readTwilioMessage } from './normalise.js';
import { TWILIO_MAX_BODY_BYTES } from './schema.js';
import { EMPTY_TWIML } from './twiml.js';
import { enqueueTwilio, readTwilioRequest, type TwilioWebhookDeps } from './webhook-request.js';

/**
 * `POST /webhooks/twilio/sms` (inbound SMS, MMS, WhatsApp through Twilio) and `POST /webhooks/twilio/status`
 * (status callbacks of our messages). Each checks the size, then `X-Twilio-Signature` before anything
 * else (a forged or unsigned request is 403, as Twilio's own middleware answers), then that the body is
 * a form (400); it answers only once the envelopes are queued (503 if the queue fails): empty TwiML for
 * a message, 204 for a status. A message from a short code or sender id, or an empty one, is answered
 * the same empty TwiML and skipped with a log line (see TwilioSkip). A status callback's URL carries the reply's key (`?reply=`), signed.
 */
export function createTwilioSmsWebhook(deps: TwilioWebhookDeps): Webhook {
  return createWebhook(
    [
      {
        method: 'POST',
        path: '/webhooks/twilio/sms',
        async handle(req) {
          const { params, ctx } = readTwilioRequest(req, deps);
          const inbound = readTwilioMessage(params, ctx);
          if (inbound.skipped) {
            logger.info('webhook message skipped', {
              provider: 'twilio',
              bodySha256: ctx.bodySha256,
              ...inbound.skipped,
            });
          } else {
            await enqueueTwilio(deps.queue, inbound.envelopes, ctx.bodySha256);
          }
          return text(200, EMPTY_TWIML, 'text/xml');
        },
      },
      {
        method: 'POST',
        path: '/webhooks/twilio/status',
        async handle(req) {
          const { params, ctx } = readTwilioRequest(req, deps);
          const replyKey = queryOf(req.url)[REPLY_KEY_PARAM];
          await enqueueTwilio(deps.queue, normaliseTwilioStatus(params, ctx, replyKey), ctx.bodySha256);
          return { status: 204 };
        },
      },
    ],
    Math.min(deps.maxBodyBytes, TWILIO_MAX_BODY_BYTES),
  );
}
