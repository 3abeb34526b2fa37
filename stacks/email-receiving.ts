import { Aws, CfnOutput, Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  ReceiptRuleSet,
} from 'aws-cdk-lib/aws-ses';
import { S3 } from 'aws-cdk-lib/aws-ses-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IDependable } from 'constructs';
import * as z from 'zod';

/** Where SES's S3 action stores received mail, one object per message, keyed by its SES message id. */
export const inboundMailPrefix = 'inbound/';

/** SES allows at most 100 recipients per receipt rule. */
const maxRecipientsPerRule = 100;

const domainPattern = '(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]';
const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(new RegExp(`^${domainPattern}$`), 'a domain such as support.example.com');
/** A receipt rule recipient: an address, a domain, or `.domain` for every subdomain of it (SES's forms). */
const RecipientSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    new RegExp(`^(?:[^@\\s]+@${domainPattern}|\\.?${domainPattern})$`),
    'an address (help@example.com), a domain (example.com) or .example.com for its subdomains',
  );
/** A list in context: `-c key=a,b` on the command line gives a string, cdk.json may give an array. */
const RecipientListSchema = z
  .union([z.string().transform((v) => v.split(',').filter((r) => r.trim() !== '')), z.array(z.string())])
  .pipe(z.array(RecipientSchema));
export const RetentionDaysSchema = z.coerce.number().int().min(1).max(3650);

/** What decides the receipt rule's recipients: a domain and/or a list, from props or else from context. */
export interface EmailRecipientProps {
  readonly emailDomain?: string;
  readonly emailRecipients?: readonly string[];
}

/** A prop, or else the context key of the same name, parsed; an error names the key. */
export function stackSetting<T>(
  stack: Stack,
  key: string,
  prop: unknown,
  schema: z.ZodType<T>,
): T | undefined {
  const value = prop ?? stack.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/** The receipt rule's recipients: the domain and the recipients, from props or else from context. */
export function emailRecipients(stack: Stack, props: EmailRecipientProps): string[] {
  const domain = stackSetting(stack, 'emailDomain', props.emailDomain, DomainSchema);
  const recipients = stackSetting(stack, 'emailRecipients', props.emailRecipients, RecipientListSchema) ?? [];
  const all = [...new Set([...(domain ? [domain] : []), ...recipients])];
  if (all.length > maxRecipientsPerRule) {
    throw new Error(`emailRecipients: SES takes at most ${maxRecipientsPerRule} recipients per rule`);
  }
  return all;
}

/**
 * A private bucket of personal data: SSE-S3, public access blocked, owner-enforced, TLS only, kept when
 * the stack goes (but with a create that rolls back: it is empty then), every object expired `days`
 * after it was written (only those under `prefix`, when given).
 */
export function privateExpiringBucket(
  stack: Stack,
  id: string,
  ruleId: string,
  days: number,
  prefix?: string,
): Bucket {
  return new Bucket(stack, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    lifecycleRules: [
      {
        id: ruleId,
        ...(prefix ? { prefix } : {}),
        expiration: Duration.days(days),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
}

/**
 * The raw-mail bucket. SSE-S3: SES's own KMS option encrypts client-side, which the function would have
 * to undo itself. Raw MIME is personal data, kept `retentionDays`; the timeline keeps what the resolver needs.
 */
export function createInboundMailBucket(stack: Stack, retentionDays: number): Bucket {
  const bucket = privateExpiringBucket(stack, 'InboundMailBucket', 'ExpireRawMail', retentionDays);
  // Granted here rather than by the receipt rule, so a rule set made by hand can use the bucket too.
  bucket.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('ses.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${inboundMailPrefix}*`)],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
  new CfnOutput(stack, 'InboundMailBucketName', { value: bucket.bucketName });
  return bucket;
}

/**
 * The receipts topic (SES publishes there once the S3 action stored a message) and the sending-events
 * topic; signature version 2 (SHA256) for anything verifying deliveries over HTTP(S).
 */
export function createSesTopics(stack: Stack): {
  receipts: Topic;
  events: Topic;
  receiptsPolicy: IDependable | undefined;
} {
  const receipts = new Topic(stack, 'SesReceiptsTopic', {
    displayName: 'Threadline SES receipts',
    enforceSSL: true,
    signatureVersion: '2',
  });
  const publish = receipts.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowSesPublishReceipts',
      principals: [new ServicePrincipal('ses.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [receipts.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
  const events = new Topic(stack, 'SesEventsTopic', {
    displayName: 'Threadline SES sending events',
    enforceSSL: true,
    signatureVersion: '2',
  });
  return { receipts, events, receiptsPolicy: publish.policyDependable };
}

/** The configuration set senders name (SES_CONFIGURATION_SET) so bounces, complaints and deliveries come back. */
export function createSesConfigurationSet(stack: Stack, eventsTopic: Topic): ConfigurationSet {
  const configurationSet = new ConfigurationSet(stack, 'SesConfigurationSet');
  // Adds the topic policy for SES itself, scoped to this configuration set.
  new ConfigurationSetEventDestination(stack, 'SesEventsDestination', {
    configurationSet,
    destination: EventDestination.snsTopic(eventsTopic),
    events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY],
  });
  new CfnOutput(stack, 'SesConfigurationSetName', { value: configurationSet.configurationSetName });
  return configurationSet;
}

/**
 * One rule: store each message under `inboundMailPrefix` and notify the receipts topic. CloudFormation
 * cannot activate a rule set, so the outputs say how, and which MX records to create.
 */
export function addReceiptRuleSet(
  stack: Stack,
  options: { recipients: string[]; bucket: Bucket; topic: Topic; topicPolicy: IDependable | undefined },
): ReceiptRuleSet {
  const ruleSet = new ReceiptRuleSet(stack, 'SesReceiptRuleSet');
  const rule = ruleSet.addRule('Inbound', {
    recipients: options.recipients,
    scanEnabled: true,
    actions: [new S3({ bucket: options.bucket, objectKeyPrefix: inboundMailPrefix, topic: options.topic })],
  });
  // SES checks that it may publish to the topic when the rule is created.
  if (options.topicPolicy) rule.node.addDependency(options.topicPolicy);

  const ruleSetName = ruleSet.receiptRuleSetName;
  new CfnOutput(stack, 'SesReceiptRuleSetName', { value: ruleSetName });
  new CfnOutput(stack, 'SesActivateReceiptRuleSetCommand', {
    description:
      'CloudFormation cannot activate a rule set. Run once; it replaces any rule set active in the region.',
    value: `aws ses set-active-receipt-rule-set --rule-set-name ${ruleSetName} --region ${Aws.REGION}`,
  });
  const mailDomains = [...new Set(options.recipients.map((r) => r.slice(r.indexOf('@') + 1)))].map((d) =>
    d.startsWith('.') ? `*${d}` : d,
  );
  new CfnOutput(stack, 'SesMxRecord', {
    description: 'The MX record to create for each domain that receives mail',
    value: mailDomains.map((d) => `${d} MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com`).join(', '),
  });
  return ruleSet;
}
