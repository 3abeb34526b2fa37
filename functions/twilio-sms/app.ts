import { normaliseTwilioMessage, normaliseTwilioStatus } from '#shared/channels/twilio/normalise.js';
import { enqueueTwilio, readTwilioRequest, type TwilioWebhookDeps } from '#shared/http/twilio-webhook.js';
import { createWebhook, text, type Webhook } from '#shared/http/webhook.js';

/** What the Twilio messaging webhooks need. */
export type TwilioSmsAppDeps = TwilioWebhookDeps;

/** TwiML that sends no reply: Twilio needs a Content-Type, and `text/xml` with an empty Response is silent. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * `POST /webhooks/twilio/sms` (inbound SMS, MMS, WhatsApp through Twilio) and `POST /webhooks/twilio/status`
 * (status callbacks of our messages). Each checks the size, then `X-Twilio-Signature` before anything
 * else (a forged or unsigned request is 403, as Twilio's own middleware answers), then that the body is
 * a form (400); it answers only once the envelopes are queued (503 if the queue fails): empty TwiML for
 * a message, 204 for a status.
 */
export function createTwilioSmsWebhook(deps: TwilioSmsAppDeps): Webhook {
  return createWebhook(
    [
      {
        method: 'POST',
        path: '/webhooks/twilio/sms',
        async handle(req) {
          const { params, ctx } = readTwilioRequest(req, deps);
          await enqueueTwilio(deps.queue, normaliseTwilioMessage(params, ctx), ctx.bodySha256);
          return text(200, EMPTY_TWIML, 'text/xml');
        },
      },
      {
        method: 'POST',
        path: '/webhooks/twilio/status',
        async handle(req) {
          const { params, ctx } = readTwilioRequest(req, deps);
          await enqueueTwilio(deps.queue, normaliseTwilioStatus(params, ctx), ctx.bodySha256);
          return { status: 204 };
        },
      },
    ],
    deps.maxBodyBytes,
  );
}
