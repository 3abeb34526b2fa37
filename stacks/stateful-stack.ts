import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ConfigurationSet, ReceiptRuleSet } from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { WEBHOOK_TIMEOUT_MAX_MS } from '#shared/config/config.js';
import { tableDefinition } from '#shared/store/table.js';
import {
  alarmOnAnyMessage,
  alarmOnOldestMessage,
  alarmOnStalledQueue,
  type ConsumedQueue,
  createAlarmTopic,
  type gaveUpAdvice,
  inboundAgeAlarmThreshold,
} from './alarms.js';
import type { QueueConsumer } from './constructs/threadline-function.js';
import {
  addReceiptRuleSet,
  createInboundMailBucket,
  createSesConfigurationSet,
  createSesTopics,
  emailRecipients,
  RetentionDaysSchema,
  stackSetting,
} from './email-receiving.js';
import { exportsAndUploadsBucket } from './exports.js';
import { BooleanSettingSchema } from './http-api.js';
import { suppressStatefulFindings } from './nag-suppressions.js';
import { createProviderSecret, createSigningSecret } from './secrets.js';
import { timersConsumer } from './timers.js';

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
  /**
   * Invocations at once, on the event source and as the function's reserved concurrency: a flood of
   * mail (each up to a minute of parsing) takes at most these from the account, never the webhooks',
   * the resolver's or the sender's share, and always has these for itself.
   */
  maxConcurrency: 5,
} as const;

/** How the outbound queue's consumer (the sender) runs: one provider call per reply. */
export const outboundConsumer = {
  timeout: Duration.seconds(30),
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
  /** Deliveries of a reply before the sender gives it up as failed (OUTBOUND_MAX_ATTEMPTS). */
  maxReceiveCount: 5,
} as const;

/**
 * How the webhook queue's consumer (the webhooks function) runs: each record is one signed POST of at
 * most WEBHOOK_TIMEOUT_MS (10 s by default), a batch's records in parallel. Its timeout is the longest
 * WEBHOOK_TIMEOUT_MS allowed plus 10 s for the reads and writes around the posts, so one slow endpoint
 * cannot time out the batch. A delivery's retries are new messages (delayed), so a message is received
 * again only when the function itself failed.
 */
export const webhookConsumer = {
  timeout: Duration.millis(WEBHOOK_TIMEOUT_MAX_MS + 10_000),
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
} as const;

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
  /**
   * An address the alarm topic emails (it must confirm the subscription).
   * @default context `alarmEmail`, else no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Keeps the index `gsi1` (projecting everything) beside the list index `gsi1k` that replaced it:
   * an existing stack upgrades with it for one deploy, as CloudFormation adds or deletes one index per
   * update (README, Deploy).
   * @default context `keepGsi1`, else false
   */
  readonly keepGsi1?: boolean;
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
  /** Due timers (from EventBridge Scheduler), consumed by the timers function. */
  readonly timersQueue: Queue;
  readonly timersDeadLetterQueue: Queue;
  readonly providerSecret: Secret;
  /** The keys survey links and web-chat identity tokens are signed with, for the functions that check them. */
  readonly signingSecret: Secret;
  /** Integrator webhook deliveries (one message per subscription and event), read by the webhooks function. */
  readonly webhookQueue: Queue;
  readonly webhookDeadLetterQueue: Queue;
  /** Change-feed batches the events function gave up on (the stream's on-failure destination). */
  readonly changeFeedFailuresQueue: Queue;
  /** Agents sign in here; the agent API accepts its access tokens for members of `agentsGroup`. */
  readonly agentPool: UserPool;
  readonly agentPoolClient: UserPoolClient;
  readonly agentsGroup = 'agents';
  /** Agents who may also export, erase, merge and unmerge customers and read the audit log. */
  readonly adminsGroup = 'admins';
  readonly inboundMailBucket: Bucket;
  /** Customer exports too large for one response, fetched by presigned URL, expired after 3 days. */
  readonly exportsBucket: Bucket;
  /** SES receipt notifications: the S3 action publishes here once it has stored a message. */
  readonly sesReceiptsTopic: Topic;
  /** SES sending events of the configuration set: bounces, complaints, deliveries. */
  readonly sesEventsTopic: Topic;
  /** Events the SES function gave up on after its retries, as Lambda destination records. */
  readonly failedEventsQueue: Queue;
  readonly sesConfigurationSet: ConfigurationSet;
  /** Only when recipients are configured: the rule set an operator activates once. */
  readonly sesReceiptRuleSet: ReceiptRuleSet | undefined;
  /** Every alarm of both stacks goes here. */
  readonly alarmTopic: Topic;
  private readonly consumedQueues = new Map<string, Omit<ConsumedQueue, 'delayed'>>();

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    this.table = this.createTable(
      stackSetting(this, 'keepGsi1', props.keepGsi1, BooleanSettingSchema) ?? false,
    );
    // The upgrade steps (README, Deploy) and `aws dynamodb` commands name the table by this output.
    new CfnOutput(this, 'TableName', { value: this.table.tableName });

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

    [this.timersQueue, this.timersDeadLetterQueue] = this.consumedQueue('Timers', timersConsumer, 5);
    new CfnOutput(this, 'TimersDeadLetterQueueName', { value: this.timersDeadLetterQueue.queueName });
    [this.webhookQueue, this.webhookDeadLetterQueue] = this.consumedQueue('Webhook', webhookConsumer, 5);
    this.changeFeedFailuresQueue = this.retainedQueue('ChangeFeedFailuresQueue');
    new CfnOutput(this, 'WebhookDeadLetterQueueName', { value: this.webhookDeadLetterQueue.queueName });
    new CfnOutput(this, 'ChangeFeedFailuresQueueName', { value: this.changeFeedFailuresQueue.queueName });

    this.providerSecret = createProviderSecret(this);
    new CfnOutput(this, 'ProviderSecretName', { value: this.providerSecret.secretName });
    this.signingSecret = createSigningSecret(this);
    new CfnOutput(this, 'SigningSecretName', { value: this.signingSecret.secretName });

    [this.agentPool, this.agentPoolClient] = this.createAgentPool();
    new CfnOutput(this, 'AgentUserPoolId', { value: this.agentPool.userPoolId });
    new CfnOutput(this, 'AgentUserPoolClientId', { value: this.agentPoolClient.userPoolClientId });
    new CfnOutput(this, 'InboundDeadLetterQueueName', { value: this.inboundDeadLetterQueue.queueName });
    new CfnOutput(this, 'MailDeadLetterQueueName', { value: this.mailDeadLetterQueue.queueName });
    new CfnOutput(this, 'OutboundDeadLetterQueueName', { value: this.outboundDeadLetterQueue.queueName });

    const retentionDays = stackSetting(
      this,
      'inboundMailRetentionDays',
      props.inboundMailRetentionDays,
      RetentionDaysSchema,
    );
    this.inboundMailBucket = createInboundMailBucket(this, retentionDays ?? 30);
    this.exportsBucket = exportsAndUploadsBucket(this);
    new CfnOutput(this, 'ExportsBucketName', { value: this.exportsBucket.bucketName });
    const topics = createSesTopics(this);
    this.sesReceiptsTopic = topics.receipts;
    this.sesEventsTopic = topics.events;

    this.failedEventsQueue = this.retainedQueue('FailedEventsQueue');
    new CfnOutput(this, 'FailedEventsQueueName', { value: this.failedEventsQueue.queueName });

    this.sesConfigurationSet = createSesConfigurationSet(this, this.sesEventsTopic);

    // Without recipients there is nothing to receive: synth and deploy work for users without email.
    const recipients = emailRecipients(this, props);
    this.sesReceiptRuleSet =
      recipients.length > 0
        ? addReceiptRuleSet(this, {
            recipients,
            bucket: this.inboundMailBucket,
            topic: this.sesReceiptsTopic,
            topicPolicy: topics.receiptsPolicy,
          })
        : undefined;

    this.alarmTopic = createAlarmTopic(this, props);
    this.alarmOnQueues();
    suppressStatefulFindings(this);
  }

  /** Any dead letter or failed event, and an inbound envelope waiting too long, raise an alarm. */
  private alarmOnQueues(): void {
    const gaveUp: [keyof typeof gaveUpAdvice, Queue][] = [
      ['InboundDeadLetterAlarm', this.inboundDeadLetterQueue],
      ['MailDeadLetterAlarm', this.mailDeadLetterQueue],
      ['OutboundDeadLetterAlarm', this.outboundDeadLetterQueue],
      ['TimersDeadLetterAlarm', this.timersDeadLetterQueue],
      ['FailedEventsAlarm', this.failedEventsQueue],
      ['WebhookDeadLetterAlarm', this.webhookDeadLetterQueue],
      ['ChangeFeedFailuresAlarm', this.changeFeedFailuresQueue],
    ];
    for (const [id, queue] of gaveUp) alarmOnAnyMessage(this, id, queue, this.alarmTopic);
    alarmOnOldestMessage(this, 'InboundAgeAlarm', {
      queue: this.inboundQueue,
      threshold: inboundAgeAlarmThreshold,
      topic: this.alarmTopic,
    });
    // Timers due within 15 minutes, delivery retries and replies (a Retry-After's wait) are sent delayed.
    const delayed = new Set<string>(['Timers', 'Webhook', 'Outbound']);
    for (const [name, consumed] of this.consumedQueues) {
      if (name === 'Inbound') continue;
      alarmOnStalledQueue(this, name, { ...consumed, delayed: delayed.has(name) }, this.alarmTopic);
    }
  }

  /** The one table; keys mirror shared/store/table.ts, which the local engine creates its table from. */
  private createTable(keepGsi1: boolean): Table {
    const table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS-managed key: encrypted under KMS with key use in CloudTrail, and no key policy or
      // monthly key cost for the operator to look after.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      // Retain even when the create rolls back (not RetainExceptOnCreate): DynamoDB refuses to delete a
      // deletion-protected table, so that rollback would fail. Its name is generated: a table a failed
      // first deploy left (empty) stops no retry.
      removalPolicy: RemovalPolicy.RETAIN,
      // The change feed: every write, with the item before and after, for the events function.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      // Epoch seconds after which DynamoDB deletes an item (webhook deliveries after 30 days).
      timeToLiveAttribute: 'ttl',
    });
    // The list index (and the sparse deadline index) project keys and the inbox filters only, the
    // customer list index keys only, so a message's writes of a conversation or a profile do not
    // write them; reads fetch the items by key.
    for (const index of tableDefinition(this.stackName, { keepGsi1 }).GlobalSecondaryIndexes ?? []) {
      const [hash, range] = index.KeySchema ?? [];
      const projected = index.Projection?.NonKeyAttributes;
      table.addGlobalSecondaryIndex({
        indexName: index.IndexName ?? '',
        partitionKey: { name: hash?.AttributeName ?? '', type: AttributeType.STRING },
        sortKey: { name: range?.AttributeName ?? '', type: AttributeType.STRING },
        ...(projected
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: projected }
          : index.Projection?.ProjectionType === 'KEYS_ONLY'
            ? { projectionType: ProjectionType.KEYS_ONLY }
            : { projectionType: ProjectionType.ALL }),
      });
    }
    return table;
  }

  /**
   * Agents: invited by an administrator (no self sign-up), strong passwords, a second factor; a new
   * email takes effect only once verified (the old one signs in meanwhile), so an agent cannot move their
   * sign-in and recovery to an address they do not hold. The console's client signs in by SRP only: no
   * OAuth flows (CDK's defaults would allow the implicit grant to https://example.com once a domain is
   * added), tokens of an hour, a refresh token of 12 hours (the console keeps none).
   */
  private createAgentPool(): [UserPool, UserPoolClient] {
    const pool = new UserPool(this, 'AgentPool', {
      userPoolName: 'threadline-agents',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      keepOriginal: { email: true },
      deletionProtection: true,
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
      // Retain, as the table: a rollback could not delete the deletion-protected pool; pool names need
      // not be unique, so one a failed first deploy left stops no retry.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const client = pool.addClient('AgentConsole', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      disableOAuth: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    new CfnUserPoolGroup(this, 'AgentsGroup', {
      userPoolId: pool.userPoolId,
      groupName: this.agentsGroup,
      description: 'May use the Threadline agent API',
    });
    new CfnUserPoolGroup(this, 'AdminsGroup', {
      userPoolId: pool.userPoolId,
      groupName: this.adminsGroup,
      description:
        'Agents who may also export, erase, merge and unmerge customers and read the audit log (must also be in agents)',
    });
    return [pool, client];
  }

  /**
   * A queue that keeps messages 14 days and outlives the stack: a dead-letter queue, or one an operator
   * inspects. SQS-managed encryption: senders need no kms:GenerateDataKey grant and there is no key to
   * manage; TLS only. A create that rolls back deletes it: it holds nothing yet.
   */
  private retainedQueue(id: string): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
  }

  /**
   * `<name>Queue`, read by a Lambda function that runs as `consumer`, and its retained
   * `<name>DeadLetterQueue`, which takes a message after `maxReceiveCount` receives.
   */
  private consumedQueue(name: string, consumer: QueueConsumer, maxReceiveCount: number): [Queue, Queue] {
    const deadLetter = this.retainedQueue(`${name}DeadLetterQueue`);
    // AWS's rule for Lambda consumers: six times the function timeout, plus the batching window.
    const visibilityTimeout = Duration.seconds(
      6 * consumer.timeout.toSeconds() + consumer.maxBatchingWindow.toSeconds(),
    );
    const queue = new Queue(this, `${name}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message keeps its age when dead-lettered, so it must expire here well before it would there.
      retentionPeriod: Duration.days(4),
      visibilityTimeout,
      deadLetterQueue: { queue: deadLetter, maxReceiveCount },
    });
    this.consumedQueues.set(name, { queue, visibilityTimeout, maxReceiveCount });
    return [queue, deadLetter];
  }
}
