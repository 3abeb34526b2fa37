import { Hono } from 'hono';
import { normaliseTwilioMessage, normaliseTwilioStatus } from '#shared/channels/twilio/normalise.js';
import { notFound, onError } from '#shared/http/on-error.js';
import {
  enqueueTwilio,
  readTwilioRequest,
  type TwilioWebhookDeps,
  twilioBodyLimit,
} from '#shared/http/twilio-webhook.js';

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
export function createTwilioSmsApp(deps: TwilioSmsAppDeps): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);
  const limit = twilioBodyLimit(deps.maxBodyBytes);

  app.post('/webhooks/twilio/sms', limit, async (c) => {
    const { params, ctx } = await readTwilioRequest(c, deps);
    await enqueueTwilio(deps.queue, normaliseTwilioMessage(params, ctx), ctx.bodySha256);
    return c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' });
  });

  app.post('/webhooks/twilio/status', limit, async (c) => {
    const { params, ctx } = await readTwilioRequest(c, deps);
    await enqueueTwilio(deps.queue, normaliseTwilioStatus(params, ctx), ctx.bodySha256);
    return c.body(null, 204);
  });
  return app;
}
