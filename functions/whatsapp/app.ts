import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { verifyHandshake, verifyMetaSignature } from '#shared/channels/meta/signature.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import type { Clock, EnvelopeQueue } from '#shared/domain/ports.js';
import { PayloadTooLargeError, UnauthorizedError, ValidationError } from '#shared/errors.js';
import { notFound, onError } from '#shared/http/on-error.js';
import { logger } from '#shared/log.js';

/** What the WhatsApp webhook needs. */
export interface WhatsAppAppDeps {
  queue: EnvelopeQueue;
  clock: Clock;
  appSecret: string;
  verifyToken: string;
  maxBodyBytes: number;
}

/**
 * `GET /webhooks/whatsapp` answers Meta's verification handshake; `POST` verifies the signature over
 * the raw bytes, normalises every entry and change, and answers 200 only once the envelopes are on
 * the queue (a 5xx makes Meta retry, for up to 7 days).
 */
export function createWhatsAppApp(deps: WhatsAppAppDeps): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);

  app.get('/webhooks/whatsapp', (c) => {
    const challenge = verifyHandshake(c.req.query(), deps.verifyToken);
    if (challenge === undefined) {
      logger.warn('webhook handshake refused', { provider: 'whatsapp' });
      return c.text('forbidden', 403);
    }
    return c.text(challenge, 200);
  });

  app.post(
    '/webhooks/whatsapp',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new PayloadTooLargeError(`body over ${deps.maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!verifyMetaSignature(raw, c.req.header('x-hub-signature-256'), deps.appSecret)) {
        throw new UnauthorizedError('invalid or missing X-Hub-Signature-256');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
      } catch (error) {
        throw new ValidationError('body is not JSON', { cause: error });
      }
      const bodySha256 = createHash('sha256').update(raw).digest('hex');
      const { envelopes, rejected } = normaliseWhatsApp(payload, {
        receivedAt: deps.clock.now().toISOString(),
        bodySha256,
      });
      for (const r of rejected) {
        logger.warn('whatsapp event rejected', {
          provider: 'whatsapp',
          bodySha256,
          pointer: r.pointer,
          reason: r.reason,
        });
      }
      await deps.queue.enqueue(envelopes);
      logger.info('webhook accepted', { provider: 'whatsapp', bodySha256, envelopes: envelopes.length });
      return c.text('OK', 200);
    },
  );
  return app;
}
