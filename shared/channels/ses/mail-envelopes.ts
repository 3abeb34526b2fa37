import { UnavailableError, ValidationError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import type { SesNormaliseContext } from './context.js';
import type { MailNotification } from './mail.js';
import { normaliseSesNotification, type SesNormalised } from './normalise.js';
import { sesS3Location } from './received.js';

/** Reads an object from S3: the raw email a receipt rule's S3 action stored. */
export type FetchObject = (bucket: string, key: string) => Promise<Uint8Array>;

/**
 * The envelopes of one SES notification: its email fetched from S3 when the receipt rule stored it
 * there, parsed, and normalised. Throws ValidationError for a notification that can never become
 * envelopes (not JSON), UnavailableError when S3 cannot be read (worth retrying).
 */
export async function mailEnvelopes(
  notification: MailNotification,
  deps: Pick<SesNormaliseContext, 'formSenders' | 'fallbackCharset'> & { fetchObject: FetchObject },
): Promise<SesNormalised> {
  const { snsMessageId } = notification;
  let parsed: unknown;
  try {
    parsed = JSON.parse(notification.message);
  } catch (error) {
    throw new ValidationError('the SNS Message is not JSON', { cause: error });
  }
  const location = sesS3Location(parsed);
  let rawMime: Uint8Array | undefined;
  if (location) {
    try {
      rawMime = await deps.fetchObject(location.bucket, location.key);
    } catch (error) {
      throw new UnavailableError('could not read the received email from S3', { cause: error });
    }
  }
  const normalised = await normaliseSesNotification(
    parsed,
    {
      receivedAt: notification.receivedAt,
      snsMessageId,
      formSenders: deps.formSenders,
      fallbackCharset: deps.fallbackCharset,
    },
    rawMime,
  );
  for (const r of normalised.rejected) {
    logger.warn('ses notification rejected', {
      provider: 'ses',
      snsMessageId,
      pointer: r.pointer,
      reason: r.reason,
    });
  }
  return normalised;
}
