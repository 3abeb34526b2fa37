import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  ReceiptRuleSet,
} from 'aws-cdk-lib/aws-ses';
import { S3 } from 'aws-cdk-lib/aws-ses-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IDependable } from 'constructs';
import * as z from 'zod';
import type { Config } from '#shared/config/config.js';
import type { QueueConsumer } from './constructs/threadline-function.js';
import { suppressStatefulFindings } from './nag-suppressions.js';

/**
 * How the inbound queue's consumer (the resolver) runs. The queue's visibility timeout is derived from
 * it, so the two are declared once, here, next to the queue.
 */
export const inboundConsumer = {
  timeout: Duration.seconds(30),
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
} as const;

/**
 * How the mail queue's consumer (ses-mail) runs: each message is one SES notification, whose mail it may
 * download from the bucket and parse (up to 40 MB of MIME), so one at a time, with the time that takes.
 * Without batching there is nothing to wait for. The queue's visibility timeout is derived from it.
 */
export const mailConsumer = {
  timeout: Duration.seconds(60),
  batchSize: 1,
  maxBatchingWindow: Duration.seconds(0),
} as const;

/** How the outbound queue's consumer (the sender) runs: one provider call per reply. */
export const outboundConsumer = {
  timeout: Duration.seconds(30),
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
  /** Deliveries of a reply before the sender gives it up as failed (OUTBOUND_MAX_ATTEMPTS). */
  maxReceiveCount: 5,
} as const;

/** The keys of the provider secret: the provider credentials the config schema reads, plus agent tokens. */
export const providerSecretKeys = [
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_ACCOUNT_SID',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'META_PAGE_ACCESS_TOKEN',
  'SES_FROM_ADDRESS',
  'TWILIO_FROM_NUMBER',
  'TWILIO_WHATSAPP_FROM',
  'AGENT_TOKENS',
] as const satisfies readonly (keyof Config)[];

/** The one generated value: a verify token is ours to choose, and the operator pastes it into Meta. */
const generatedKey = 'META_VERIFY_TOKEN';

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
const RetentionDaysSchema = z.coerce.number().int().min(1).max(3650);

export interface StatefulStackProps extends StackProps {
  /**
   * A domain whose mail Threadline receives, every address at it. Without it (or its context key
   * `emailDomain`) and without `emailRecipients`, no receipt rule set is created.
   */
  readonly emailDomain?: string;
  /**
   * Addresses or domains Threadline receives mail for, on top of `emailDomain`.
   * @default context `emailRecipients` (comma-separated, or a list in cdk.json)
   */
  readonly emailRecipients?: readonly string[];
  /**
   * Days raw received mail (personal data) stays in the bucket before S3 deletes it.
   * @default context `inboundMailRetentionDays`, else 30
   */
  readonly inboundMailRetentionDays?: number;
}

/**
 * Everything that outlives a deployment of the functions: the table, the queues, the provider secret,
 * the raw-mail bucket and the SES topics, rule set and configuration set.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly inboundQueue: Queue;
  readonly inboundDeadLetterQueue: Queue;
  /** SES notifications the SES webhook verified, for ses-mail to turn into envelopes. */
  readonly mailQueue: Queue;
  readonly mailDeadLetterQueue: Queue;
  readonly outboundQueue: Queue;
  readonly outboundDeadLetterQueue: Queue;
  readonly providerSecret: Secret;
  /** Agents sign in here; the agent API accepts its access tokens for members of `agentsGroup`. */
  readonly agentPool: UserPool;
  readonly agentPoolClient: UserPoolClient;
  readonly agentsGroup = 'agents';
  readonly inboundMailBucket: Bucket;
  /** SES receipt notifications: the S3 action publishes here once it has stored a message. */
  readonly sesReceiptsTopic: Topic;
  /** SES sending events of the configuration set: bounces, complaints, deliveries. */
  readonly sesEventsTopic: Topic;
  /** Events the SES function gave up on after its retries, as Lambda destination records. */
  readonly failedEventsQueue: Queue;
  readonly sesConfigurationSet: ConfigurationSet;
  /** Only when recipients are configured: the rule set an operator activates once. */
  readonly sesReceiptRuleSet: ReceiptRuleSet | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);

    // Keys mirror shared/store/table.ts, which the local engine creates its table from.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS-managed key: encrypted under KMS with key use in CloudTrail, and no key policy or
      // monthly key cost for the operator to look after.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    // Each consumed queue dead-letters into a queue of its own after maxReceiveCount receives.
    [this.inboundQueue, this.inboundDeadLetterQueue] = this.consumedQueue('Inbound', inboundConsumer, 5);
    // The SES webhook enqueues the notifications it verifies here; ses-mail fetches and parses their mail.
    [this.mailQueue, this.mailDeadLetterQueue] = this.consumedQueue('Mail', mailConsumer, 5);
    // The visibility timeout is also the backoff between attempts on throttling and 5xx.
    [this.outboundQueue, this.outboundDeadLetterQueue] = this.consumedQueue(
      'Outbound',
      outboundConsumer,
      outboundConsumer.maxReceiveCount,
    );

    // Empty values read as unset, so a function whose credentials are not filled in yet fails at cold
    // start naming them. The values never enter the template: CloudFormation has Secrets Manager generate
    // the secret from this template of keys.
    const placeholders = Object.fromEntries(
      providerSecretKeys.filter((key) => key !== generatedKey).map((key) => [key, '']),
    );
    this.providerSecret = new Secret(this, 'ProviderSecret', {
      secretName: 'threadline/providers',
      description: `Threadline provider credentials (JSON: ${providerSecretKeys.join(', ')}); fill in after deploy`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(placeholders),
        generateStringKey: generatedKey,
        passwordLength: 32,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    new CfnOutput(this, 'ProviderSecretName', { value: this.providerSecret.secretName });

    // Agents: invited by an administrator (no self sign-up), strong passwords, a second factor.
    this.agentPool = new UserPool(this, 'AgentPool', {
      userPoolName: 'threadline-agents',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.agentPoolClient = this.agentPool.addClient('AgentConsole', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
    });
    new CfnUserPoolGroup(this, 'AgentsGroup', {
      userPoolId: this.agentPool.userPoolId,
      groupName: this.agentsGroup,
      description: 'May use the Threadline agent API',
    });
    new CfnOutput(this, 'AgentUserPoolId', { value: this.agentPool.userPoolId });
    new CfnOutput(this, 'AgentUserPoolClientId', { value: this.agentPoolClient.userPoolClientId });
    new CfnOutput(this, 'InboundDeadLetterQueueName', { value: this.inboundDeadLetterQueue.queueName });
    new CfnOutput(this, 'MailDeadLetterQueueName', { value: this.mailDeadLetterQueue.queueName });
    new CfnOutput(this, 'OutboundDeadLetterQueueName', { value: this.outboundDeadLetterQueue.queueName });

    const retentionDays = this.setting(
      'inboundMailRetentionDays',
      props.inboundMailRetentionDays,
      RetentionDaysSchema,
    );
    // SSE-S3: SES's own KMS option encrypts client-side, which the function would have to undo itself.
    this.inboundMailBucket = new Bucket(this, 'InboundMailBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Raw MIME is personal data; the timeline keeps what the resolver needs.
      lifecycleRules: [
        {
          id: 'ExpireRawMail',
          expiration: Duration.days(retentionDays ?? 30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Granted here rather than by the receipt rule, so a rule set made by hand can use the bucket too.
    this.inboundMailBucket.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.inboundMailBucket.arnForObjects(`${inboundMailPrefix}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    new CfnOutput(this, 'InboundMailBucketName', { value: this.inboundMailBucket.bucketName });

    // Signature version 2 (SHA256) for anything verifying deliveries over HTTP(S).
    this.sesReceiptsTopic = new Topic(this, 'SesReceiptsTopic', {
      displayName: 'Threadline SES receipts',
      enforceSSL: true,
      signatureVersion: '2',
    });
    const receiptsPublish = this.sesReceiptsTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesPublishReceipts',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.sesReceiptsTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.sesEventsTopic = new Topic(this, 'SesEventsTopic', {
      displayName: 'Threadline SES sending events',
      enforceSSL: true,
      signatureVersion: '2',
    });

    this.failedEventsQueue = this.retainedQueue('FailedEventsQueue');
    new CfnOutput(this, 'FailedEventsQueueName', { value: this.failedEventsQueue.queueName });

    // Senders name it to have bounces, complaints and deliveries published (SES_CONFIGURATION_SET).
    this.sesConfigurationSet = new ConfigurationSet(this, 'SesConfigurationSet');
    // Adds the topic policy for SES itself, scoped to this configuration set.
    new ConfigurationSetEventDestination(this, 'SesEventsDestination', {
      configurationSet: this.sesConfigurationSet,
      destination: EventDestination.snsTopic(this.sesEventsTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY],
    });
    new CfnOutput(this, 'SesConfigurationSetName', {
      value: this.sesConfigurationSet.configurationSetName,
    });

    // Without recipients there is nothing to receive: synth and deploy work for users without email.
    const recipients = this.emailRecipients(props);
    this.sesReceiptRuleSet =
      recipients.length > 0
        ? this.addReceiptRuleSet(recipients, receiptsPublish.policyDependable)
        : undefined;

    suppressStatefulFindings(this);
  }

  /**
   * A queue that keeps messages 14 days and outlives the stack: a dead-letter queue, or one an operator
   * inspects. SQS-managed encryption: senders need no kms:GenerateDataKey grant and there is no key to
   * manage; TLS only.
   */
  private retainedQueue(id: string): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * `<name>Queue`, read by a Lambda function that runs as `consumer`, and its retained
   * `<name>DeadLetterQueue`, which takes a message after `maxReceiveCount` receives.
   */
  private consumedQueue(name: string, consumer: QueueConsumer, maxReceiveCount: number): [Queue, Queue] {
    const deadLetter = this.retainedQueue(`${name}DeadLetterQueue`);
    const queue = new Queue(this, `${name}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message keeps its age when dead-lettered, so it must expire here well before it would there.
      retentionPeriod: Duration.days(4),
      // AWS's rule for Lambda consumers: six times the function timeout, plus the batching window.
      visibilityTimeout: Duration.seconds(
        6 * consumer.timeout.toSeconds() + consumer.maxBatchingWindow.toSeconds(),
      ),
      deadLetterQueue: { queue: deadLetter, maxReceiveCount },
    });
    return [queue, deadLetter];
  }

  /**
   * One rule: store each message under `inboundMailPrefix` and notify the receipts topic. CloudFormation
   * cannot activate a rule set, so the outputs say how, and which MX records to create.
   */
  private addReceiptRuleSet(recipients: string[], topicPolicy: IDependable | undefined): ReceiptRuleSet {
    const ruleSet = new ReceiptRuleSet(this, 'SesReceiptRuleSet');
    const rule = ruleSet.addRule('Inbound', {
      recipients,
      scanEnabled: true,
      actions: [
        new S3({
          bucket: this.inboundMailBucket,
          objectKeyPrefix: inboundMailPrefix,
          topic: this.sesReceiptsTopic,
        }),
      ],
    });
    // SES checks that it may publish to the topic when the rule is created.
    if (topicPolicy) rule.node.addDependency(topicPolicy);

    const ruleSetName = ruleSet.receiptRuleSetName;
    new CfnOutput(this, 'SesReceiptRuleSetName', { value: ruleSetName });
    new CfnOutput(this, 'SesActivateReceiptRuleSetCommand', {
      description:
        'CloudFormation cannot activate a rule set. Run once; it replaces any rule set active in the region.',
      value: `aws ses set-active-receipt-rule-set --rule-set-name ${ruleSetName} --region ${Aws.REGION}`,
    });
    const mailDomains = [...new Set(recipients.map((r) => r.slice(r.indexOf('@') + 1)))].map((d) =>
      d.startsWith('.') ? `*${d}` : d,
    );
    new CfnOutput(this, 'SesMxRecord', {
      description: 'The MX record to create for each domain that receives mail',
      value: mailDomains.map((d) => `${d} MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com`).join(', '),
    });
    return ruleSet;
  }

  /** The receipt rule's recipients: the domain and the recipients, from props or else from context. */
  private emailRecipients(props: StatefulStackProps): string[] {
    const domain = this.setting('emailDomain', props.emailDomain, DomainSchema);
    const recipients = this.setting('emailRecipients', props.emailRecipients, RecipientListSchema) ?? [];
    const all = [...new Set([...(domain ? [domain] : []), ...recipients])];
    if (all.length > maxRecipientsPerRule) {
      throw new Error(`emailRecipients: SES takes at most ${maxRecipientsPerRule} recipients per rule`);
    }
    return all;
  }

  /** A prop, or else the context key of the same name, parsed; an error names the key. */
  private setting<T>(key: string, prop: unknown, schema: z.ZodType<T>): T | undefined {
    const value = prop ?? this.node.tryGetContext(key);
    if (value === undefined || value === '') return undefined;
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new Error(`${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    return parsed.data;
  }
}
