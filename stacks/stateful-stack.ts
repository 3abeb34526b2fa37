import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';

/**
 * How the inbound queue's consumer (the resolver) runs. The queue's visibility timeout is derived from
 * it, so the two are declared once, here, next to the queue.
 */
export const inboundConsumer = {
  timeout: Duration.seconds(30),
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
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
  'AGENT_TOKENS',
] as const satisfies readonly (keyof Config)[];

/** The one generated value: a verify token is ours to choose, and the operator pastes it into Meta. */
const generatedKey = 'META_VERIFY_TOKEN';

/** Everything that outlives a deployment of the functions: the table, the queues, the provider secret. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly inboundQueue: Queue;
  readonly inboundDeadLetterQueue: Queue;
  readonly providerSecret: Secret;

  constructor(scope: Construct, id: string, props?: StackProps) {
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

    // SQS-managed encryption: senders need no kms:GenerateDataKey grant and there is no key to manage.
    this.inboundDeadLetterQueue = new Queue(this, 'InboundDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.inboundQueue = new Queue(this, 'InboundQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message keeps its age when dead-lettered, so it must expire here well before it would there.
      retentionPeriod: Duration.days(4),
      // AWS's rule for Lambda consumers: six times the function timeout, plus the batching window.
      visibilityTimeout: Duration.seconds(
        6 * inboundConsumer.timeout.toSeconds() + inboundConsumer.maxBatchingWindow.toSeconds(),
      ),
      deadLetterQueue: { queue: this.inboundDeadLetterQueue, maxReceiveCount: 5 },
    });

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
    new CfnOutput(this, 'InboundDeadLetterQueueName', { value: this.inboundDeadLetterQueue.queueName });
  }
}
