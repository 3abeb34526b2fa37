import type { SNSEvent } from 'aws-lambda';
import { readSettingFile } from '#shared/config/setting-file.js';
import type { Clock } from '#shared/domain/ports.js';
import { UnavailableError, ValidationError } from '#shared/errors.js';
import { enqueueOrUnavailable } from '#shared/http/enqueue.js';
import { createWebhook, jsonBody, text, type Webhook, type WebhookRequest } from '#shared/http/webhook.js';
import { logger } from '#shared/log.js';
import { checkSesNotification, type MailNotification, type MailQueue } from './mail.js';
import {
  getSnsUrl,
  isSnsUrl,
  SnsCertCache,
  SnsEventRecordSchema,
  type SnsMessage,
  SnsMessageSchema,
  SnsSignatureError,
  verifySnsMessage,
} from './sns.js';

/** What queuing SES notifications needs, on either path. */
export interface SesEventDeps {
  /** Where verified notifications wait for `ses-mail`, which fetches, parses and normalises them. */
  mail: MailQueue;
  clock: Clock;
  /**
   * The SNS topics whose messages we accept. Anyone can subscribe our URL to a topic of their own and
   * SNS will sign what they publish, so without this list a signature proves only that SNS sent it.
   * Undefined accepts every topic (local development).
   */
  topicArns?: readonly string[] | undefined;
}

/** What the SES webhook (SNS over HTTP) needs. */
export interface SesWebhookDeps extends SesEventDeps {
  maxBodyBytes: number;
  /** GETs a certificate URL (already checked) and returns the PEM. */
  fetchCert: (url: string) => Promise<string>;
  /** SNS_TRUSTED_CERT_FILE's PEM: used instead of fetching SigningCertURL (development and tests). */
  trustedCertPem?: string | undefined;
  certCache?: SnsCertCache;
  /** GETs a SubscribeURL (already checked to be an SNS https URL) to confirm a subscription. */
  confirmSubscription: (url: string) => Promise<void>;
}

/**
 * How the SES webhook checks and answers SNS, on Lambda and locally: certificates fetched over HTTPS
 * (once each, cached) unless SNS_TRUSTED_CERT_FILE names a PEM to check against, and subscriptions
 * confirmed by GETting their SubscribeURL.
 */
export function snsHttpDeps(
  trustedCertFile: string | undefined,
): Pick<SesWebhookDeps, 'fetchCert' | 'trustedCertPem' | 'certCache' | 'confirmSubscription'> {
  return {
    fetchCert: (url) => getSnsUrl(url),
    trustedCertPem: trustedCertFile ? readSettingFile('SNS_TRUSTED_CERT_FILE', trustedCertFile) : undefined,
    certCache: new SnsCertCache(),
    confirmSubscription: async (url) => {
      await getSnsUrl(url);
    },
  };
}

/**
 * The largest body `/webhooks/ses` takes: an SNS message is at most 256 KB (SES bounces received mail
 * over 150 KB rather than notify it), and the signed JSON around it, escapes included, stays far under
 * twice that. WhatsApp and Meta keep MAX_BODY_BYTES: their batches have no such limit.
 */
export const SNS_MAX_BODY_BYTES = 512 * 1024;

const MESSAGE_TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

/**
 * `POST /webhooks/ses`: SES receipt and sending notifications delivered by SNS over HTTP(S). The body
 * (JSON sent as text/plain) is verified against SNS's signature and our topic list; a subscription is
 * confirmed by GETting its SubscribeURL; a notification is answered 200 once it is on the mail queue,
 * where `ses-mail` fetches the email from S3 if need be, parses it and queues the envelopes. SNS
 * counts any 2xx-4xx answer as delivered and retries on 5xx or timeouts.
 */
export function createSesWebhook(deps: SesWebhookDeps): Webhook {
  return createWebhook(
    [
      {
        method: 'POST',
        path: '/webhooks/ses',
        async handle(req) {
          const headerType = req.header('x-amz-sns-message-type');
          if (!headerType || !MESSAGE_TYPES.has(headerType)) {
            throw new ValidationError('missing or unknown x-amz-sns-message-type header');
          }
          const message = parseSnsBody(req);
          if (message.Type !== headerType) {
            throw new ValidationError('x-amz-sns-message-type does not match the body');
          }
          const fields = { provider: 'ses', snsMessageId: message.MessageId, type: message.Type };
          if (!topicAllowed(message.TopicArn, deps.topicArns)) {
            throw new SnsSignatureError('the SNS topic is not one of ours');
          }
          await verifySnsMessage(message, {
            fetchCert: deps.fetchCert,
            trustedCertPem: deps.trustedCertPem,
            ...(deps.certCache ? { cache: deps.certCache } : {}),
            now: () => deps.clock.now(),
          });

          if (message.Type === 'SubscriptionConfirmation') {
            if (!isSnsUrl(message.SubscribeURL)) {
              throw new SnsSignatureError('SubscribeURL is not an https URL on an SNS host');
            }
            try {
              await deps.confirmSubscription(message.SubscribeURL);
            } catch (error) {
              throw new UnavailableError('could not confirm the SNS subscription', { cause: error });
            }
            logger.info('sns subscription confirmed', fields);
            return text(200, 'OK');
          }
          if (message.Type === 'UnsubscribeConfirmation') {
            // Not re-subscribing is the point of an unsubscribe; it is logged for the operator.
            logger.warn('sns subscription ended', fields);
            return text(200, 'OK');
          }

          checkSesNotification(message.Message);
          await enqueueOrUnavailable(
            deps.mail,
            [
              {
                snsMessageId: message.MessageId,
                topicArn: message.TopicArn,
                message: message.Message,
                receivedAt: deps.clock.now().toISOString(),
              },
            ],
            'notifications',
          );
          logger.info('webhook accepted', fields);
          return text(200, 'OK');
        },
      },
    ],
    Math.min(deps.maxBodyBytes, SNS_MAX_BODY_BYTES),
  );
}

/** True for the event SNS gives a Lambda it invokes directly (as opposed to an API Gateway request). */
export function isSnsEvent(event: unknown): event is SNSEvent {
  if (typeof event !== 'object' || event === null || !('Records' in event)) return false;
  const { Records: records } = event;
  return Array.isArray(records) && records.length > 0 && records[0]?.EventSource === 'aws:sns';
}

/**
 * The AWS path: SNS invokes the function with a batch of records (no signature to check: AWS invoked
 * us). Every record from one of our topics goes to the mail queue, all together; a record that is not
 * an SNS notification is logged and skipped, while a queue failure throws so Lambda retries the event.
 */
export async function handleSnsEvent(event: SNSEvent, deps: SesEventDeps): Promise<void> {
  const notifications: MailNotification[] = [];
  const receivedAt = deps.clock.now().toISOString();
  for (const [index, rawRecord] of event.Records.entries()) {
    const record = SnsEventRecordSchema.safeParse(rawRecord);
    if (!record.success) {
      logger.warn('sns record rejected', { provider: 'ses', index, reason: record.error.issues[0]?.message });
      continue;
    }
    const { MessageId: snsMessageId, TopicArn: topicArn, Message: message } = record.data.Sns;
    if (!topicAllowed(topicArn, deps.topicArns)) {
      logger.warn('sns record from another topic skipped', { provider: 'ses', snsMessageId });
      continue;
    }
    try {
      checkSesNotification(message);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      logger.warn('sns record rejected', { provider: 'ses', snsMessageId, reason: error.message });
      continue;
    }
    notifications.push({ snsMessageId, topicArn, message, receivedAt });
  }
  await enqueueOrUnavailable(deps.mail, notifications, 'notifications');
  logger.info('sns event accepted', {
    provider: 'ses',
    records: event.Records.length,
    notifications: notifications.length,
  });
}

function parseSnsBody(req: WebhookRequest): SnsMessage {
  const parsed = SnsMessageSchema.safeParse(jsonBody(req));
  if (!parsed.success) {
    throw new ValidationError('body is not a signed SNS message', { cause: parsed.error });
  }
  return parsed.data;
}

function topicAllowed(topicArn: string, allowed: readonly string[] | undefined): boolean {
  return allowed === undefined || allowed.includes(topicArn);
}
