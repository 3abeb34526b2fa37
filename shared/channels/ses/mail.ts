import * as z from 'zod/mini';
import { ValidationError } from '../../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../validation/json-depth.js';
import { nonEmptyString, optionalString } from '../../validation/primitives.js';

/**
 * Just enough to tell an SES notification from anything else published to the topic. Here rather than
 * in schema.ts: importing it from there would make the SES webhook build every SES schema at cold start.
 */
export const SesNotificationShellSchema = z.looseObject({
  notificationType: optionalString,
  eventType: optionalString,
  mail: z.looseObject({ messageId: nonEmptyString }),
});

/**
 * A verified SES notification on its way from the SES webhook to `ses-mail`, which fetches the mail
 * from S3 when the receipt rule stored it there, parses it and queues the envelopes. The webhook
 * itself does nothing slow (no S3, no MIME parsing), so SNS gets its answer at once and the webhook's
 * bundle carries no mail parser.
 */
export const MailNotificationSchema = z.object({
  /** SNS's id of the delivery: every envelope id and rawRef derives from it, so redeliveries converge. */
  snsMessageId: z.string().check(z.minLength(1), z.maxLength(256)),
  topicArn: z.string().check(z.maxLength(1024)),
  /** The SES notification, as the SNS Message string carried it. */
  message: z.string(),
  /** When the webhook received it: the envelopes' `receivedAt`, the same on every redelivery. */
  receivedAt: z.iso.datetime(),
});
export type MailNotification = z.infer<typeof MailNotificationSchema>;

/** Where the SES webhook puts verified notifications (SQS on AWS, a local queue in the runtime). */
export interface MailQueue {
  enqueue(notifications: readonly MailNotification[]): Promise<void>;
}

/**
 * Checks, cheaply, that an SNS Message is an SES notification (JSON naming a `notificationType` or an
 * `eventType`, not absurdly nested) before it is queued, so garbage is refused where it arrives;
 * ses-mail does the full parse. Throws ValidationError.
 */
export function checkSesNotification(message: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch (error) {
    throw new ValidationError('the SNS Message is not JSON', { cause: error });
  }
  const shell = SesNotificationShellSchema.safeParse(parsed);
  if (!shell.success || (shell.data.notificationType ?? shell.data.eventType) === undefined) {
    throw new ValidationError('not an SES notification', shell.success ? {} : { cause: shell.error });
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new ValidationError(`the notification nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
}
