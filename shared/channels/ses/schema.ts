import * as z from 'zod/mini';
import { optionalBoolean, optionalString } from '../../validation/primitives.js';

// Objects are loose throughout: AWS reserves the right to add fields to every SES notification.

/** One of SES's receipt scans: PASS | FAIL | GRAY | PROCESSING_FAILED (| DISABLED, per @types/aws-lambda). */
export const SesVerdictSchema = z.looseObject({ status: z.string() });
export type SesVerdict = z.infer<typeof SesVerdictSchema>;

/** The receipt-rule action that produced a `Received` notification. */
export const SesReceiptActionSchema = z.looseObject({
  /** S3 | SNS | Bounce | Lambda | Stop | WorkMail. */
  type: z.string(),
  topicArn: optionalString,
  /** S3 action: where the raw MIME was stored; the key is `mail.messageId` plus the rule's prefix. */
  bucketName: optionalString,
  objectKey: optionalString,
  /** SNS action: how `content` is encoded, `UTF8` (the default) or `BASE64`; casing varies by source. */
  encoding: optionalString,
});
export type SesReceiptAction = z.infer<typeof SesReceiptActionSchema>;

/** `receipt` of a `Received` notification: what SES decided about an inbound email. */
export const SesReceiptSchema = z.looseObject({
  timestamp: z.string(),
  // The doc table calls it a string, the examples and @types say number.
  processingTimeMillis: z.optional(z.union([z.number(), z.string()])),
  /** The envelope RCPT TO addresses that matched the rule: ours. They can differ from `mail.destination`. */
  recipients: z._default(z.array(z.string()), []),
  spamVerdict: z.optional(SesVerdictSchema),
  virusVerdict: z.optional(SesVerdictSchema),
  spfVerdict: z.optional(SesVerdictSchema),
  dkimVerdict: z.optional(SesVerdictSchema),
  dmarcVerdict: z.optional(SesVerdictSchema),
  /** none | quarantine | reject; present only when DMARC fails. */
  dmarcPolicy: optionalString,
  action: SesReceiptActionSchema,
});
export type SesReceipt = z.infer<typeof SesReceiptSchema>;

/** One raw header as SES lists it. */
export const SesHeaderSchema = z.looseObject({ name: z.string(), value: z.string() });

/** SES's parse of the main headers; `messageId` is the original RFC 5322 Message-ID, not the SES id. */
export const SesCommonHeadersSchema = z.looseObject({
  returnPath: optionalString,
  from: z.optional(z.array(z.string())),
  sender: z.optional(z.array(z.string())),
  replyTo: z.optional(z.array(z.string())),
  to: z.optional(z.array(z.string())),
  cc: z.optional(z.array(z.string())),
  bcc: z.optional(z.array(z.string())),
  date: optionalString,
  messageId: optionalString,
  subject: optionalString,
});

/** `mail`: the email a notification is about. Headers are present only when the identity enables them. */
export const SesMailSchema = z.looseObject({
  timestamp: z.string(),
  /** The SES message id: the S3 key of a received email, the id SendEmail returned for a sent one. */
  messageId: z.string().check(z.minLength(1), z.maxLength(512)),
  /** Envelope MAIL FROM (received mail) or the sending address (sent mail); empty for bounces. */
  source: optionalString,
  destination: z._default(z.array(z.string()), []),
  /** True once the headers pass 10 KB. */
  headersTruncated: optionalBoolean,
  headers: z.optional(z.array(SesHeaderSchema)),
  commonHeaders: z.optional(SesCommonHeadersSchema),
});
export type SesMail = z.infer<typeof SesMailSchema>;

/** An inbound email (receiving). `content` is there only for the SNS action. */
export const SesReceivedNotificationSchema = z.looseObject({
  notificationType: z.literal('Received'),
  receipt: SesReceiptSchema,
  mail: SesMailSchema,
  /** The raw MIME, encoded as `receipt.action.encoding` says (UTF-8 text or Base64). */
  content: optionalString,
});
export type SesReceivedNotification = z.infer<typeof SesReceivedNotificationSchema>;

/** `bounce`: SES notifies hard bounces at once and soft ones only after it stops retrying. */
export const SesBounceSchema = z.looseObject({
  /** Undetermined | Permanent | Transient. */
  bounceType: z.string(),
  /** General, NoEmail, Suppressed, OnAccountSuppressionList, MailboxFull, MessageTooLarge... */
  bounceSubType: z.string(),
  bouncedRecipients: z.array(
    z.looseObject({
      emailAddress: z.string(),
      action: optionalString,
      status: optionalString,
      diagnosticCode: optionalString,
    }),
  ),
  timestamp: z.string(),
  feedbackId: optionalString,
  remoteMtaIp: optionalString,
  reportingMTA: optionalString,
});
export type SesBounce = z.infer<typeof SesBounceSchema>;

/** `complaint`: a recipient marked the email as spam (or, with `not-spam`, took that back). */
export const SesComplaintSchema = z.looseObject({
  complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
  timestamp: z.string(),
  feedbackId: optionalString,
  complaintSubType: z.nullish(z.string()),
  userAgent: optionalString,
  /** abuse | auth-failure | fraud | not-spam | other | virus. */
  complaintFeedbackType: optionalString,
  arrivalDate: optionalString,
});
export type SesComplaint = z.infer<typeof SesComplaintSchema>;

/** `delivery`: the recipient's mail server accepted the email. */
export const SesDeliverySchema = z.looseObject({
  timestamp: z.string(),
  processingTimeMillis: z.optional(z.number()),
  recipients: z.array(z.string()),
  smtpResponse: optionalString,
  reportingMTA: optionalString,
  remoteMtaIp: optionalString,
});
export type SesDelivery = z.infer<typeof SesDeliverySchema>;

/**
 * A sending event: Bounce, Complaint or Delivery. Identity notifications call the type `notificationType`,
 * configuration-set event publishing calls it `eventType`; the objects are the same.
 */
export const SesSendingNotificationSchema = z.looseObject({
  notificationType: optionalString,
  eventType: optionalString,
  mail: SesMailSchema,
  bounce: z.optional(SesBounceSchema),
  complaint: z.optional(SesComplaintSchema),
  delivery: z.optional(SesDeliverySchema),
});
export type SesSendingNotification = z.infer<typeof SesSendingNotificationSchema>;
