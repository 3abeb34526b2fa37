import * as z from 'zod';

// Objects are loose throughout: AWS reserves the right to add fields to every SES notification.

/** One of SES's receipt scans: PASS | FAIL | GRAY | PROCESSING_FAILED (| DISABLED, per @types/aws-lambda). */
export const SesVerdictSchema = z.looseObject({ status: z.string() });
export type SesVerdict = z.infer<typeof SesVerdictSchema>;

/** The receipt-rule action that produced a `Received` notification. */
export const SesReceiptActionSchema = z.looseObject({
  /** S3 | SNS | Bounce | Lambda | Stop | WorkMail. */
  type: z.string(),
  topicArn: z.string().optional(),
  /** S3 action: where the raw MIME was stored; the key is `mail.messageId` plus the rule's prefix. */
  bucketName: z.string().optional(),
  objectKey: z.string().optional(),
  /** SNS action: how `content` is encoded, `UTF8` (the default) or `BASE64`; casing varies by source. */
  encoding: z.string().optional(),
});
export type SesReceiptAction = z.infer<typeof SesReceiptActionSchema>;

/** `receipt` of a `Received` notification: what SES decided about an inbound email. */
export const SesReceiptSchema = z.looseObject({
  timestamp: z.string(),
  // The doc table calls it a string, the examples and @types say number.
  processingTimeMillis: z.union([z.number(), z.string()]).optional(),
  /** The envelope RCPT TO addresses that matched the rule: ours. They can differ from `mail.destination`. */
  recipients: z.array(z.string()).default([]),
  spamVerdict: SesVerdictSchema.optional(),
  virusVerdict: SesVerdictSchema.optional(),
  spfVerdict: SesVerdictSchema.optional(),
  dkimVerdict: SesVerdictSchema.optional(),
  dmarcVerdict: SesVerdictSchema.optional(),
  /** none | quarantine | reject; present only when DMARC fails. */
  dmarcPolicy: z.string().optional(),
  action: SesReceiptActionSchema,
});
export type SesReceipt = z.infer<typeof SesReceiptSchema>;

/** One raw header as SES lists it. */
export const SesHeaderSchema = z.looseObject({ name: z.string(), value: z.string() });

/** SES's parse of the main headers; `messageId` is the original RFC 5322 Message-ID, not the SES id. */
export const SesCommonHeadersSchema = z.looseObject({
  returnPath: z.string().optional(),
  from: z.array(z.string()).optional(),
  sender: z.array(z.string()).optional(),
  replyTo: z.array(z.string()).optional(),
  to: z.array(z.string()).optional(),
  cc: z.array(z.string()).optional(),
  bcc: z.array(z.string()).optional(),
  date: z.string().optional(),
  messageId: z.string().optional(),
  subject: z.string().optional(),
});

/** `mail`: the email a notification is about. Headers are present only when the identity enables them. */
export const SesMailSchema = z.looseObject({
  timestamp: z.string(),
  /** The SES message id: the S3 key of a received email, the id SendEmail returned for a sent one. */
  messageId: z.string().min(1).max(512),
  /** Envelope MAIL FROM (received mail) or the sending address (sent mail); empty for bounces. */
  source: z.string().optional(),
  destination: z.array(z.string()).default([]),
  /** True once the headers pass 10 KB. */
  headersTruncated: z.boolean().optional(),
  headers: z.array(SesHeaderSchema).optional(),
  commonHeaders: SesCommonHeadersSchema.optional(),
});
export type SesMail = z.infer<typeof SesMailSchema>;

/** An inbound email (receiving). `content` is there only for the SNS action. */
export const SesReceivedNotificationSchema = z.looseObject({
  notificationType: z.literal('Received'),
  receipt: SesReceiptSchema,
  mail: SesMailSchema,
  /** The raw MIME, encoded as `receipt.action.encoding` says (UTF-8 text or Base64). */
  content: z.string().optional(),
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
      action: z.string().optional(),
      status: z.string().optional(),
      diagnosticCode: z.string().optional(),
    }),
  ),
  timestamp: z.string(),
  feedbackId: z.string().optional(),
  remoteMtaIp: z.string().optional(),
  reportingMTA: z.string().optional(),
});
export type SesBounce = z.infer<typeof SesBounceSchema>;

/** `complaint`: a recipient marked the email as spam (or, with `not-spam`, took that back). */
export const SesComplaintSchema = z.looseObject({
  complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
  timestamp: z.string(),
  feedbackId: z.string().optional(),
  complaintSubType: z.string().nullish(),
  userAgent: z.string().optional(),
  /** abuse | auth-failure | fraud | not-spam | other | virus. */
  complaintFeedbackType: z.string().optional(),
  arrivalDate: z.string().optional(),
});
export type SesComplaint = z.infer<typeof SesComplaintSchema>;

/** `delivery`: the recipient's mail server accepted the email. */
export const SesDeliverySchema = z.looseObject({
  timestamp: z.string(),
  processingTimeMillis: z.number().optional(),
  recipients: z.array(z.string()),
  smtpResponse: z.string().optional(),
  reportingMTA: z.string().optional(),
  remoteMtaIp: z.string().optional(),
});
export type SesDelivery = z.infer<typeof SesDeliverySchema>;

/**
 * A sending event: Bounce, Complaint or Delivery. Identity notifications call the type `notificationType`,
 * configuration-set event publishing calls it `eventType`; the objects are the same.
 */
export const SesSendingNotificationSchema = z.looseObject({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: SesMailSchema,
  bounce: SesBounceSchema.optional(),
  complaint: SesComplaintSchema.optional(),
  delivery: SesDeliverySchema.optional(),
});
export type SesSendingNotification = z.infer<typeof SesSendingNotificationSchema>;

/** Just enough to tell an SES notification from anything else published to the topic. */
export const SesNotificationShellSchema = z.looseObject({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: z.looseObject({ messageId: z.string().min(1) }),
});
