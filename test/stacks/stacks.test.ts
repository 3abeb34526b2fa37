import { isDeepStrictEqual } from 'node:util';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { WEBHOOK_TIMEOUT_MAX_MS } from '#shared/config/config.js';
import { SIGNING_SECRET_KEYS } from '#shared/config/secrets.js';
import {
  auditByActionPartition,
  auditByAgentPartition,
  auditOfCustomerPartition,
  auditPartition,
} from '#shared/store/audit-keys.js';
import { tableDefinition } from '#shared/store/table.js';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import {
  providerSecretKeys,
  providerSecretTemplateKeys,
  providerSecretTemplates,
  signingSecretKeys,
} from '../../stacks/secrets.js';
import {
  inboundConsumer,
  mailConsumer,
  StatefulStack,
  webhookConsumer,
} from '../../stacks/stateful-stack.js';
import {
  agentSocketReads,
  agentSocketWrites,
  liveStreamWrites,
  visitorSocketWrites,
} from '../../stacks/table-partitions.js';
import { API_FUNCTION_IDS, TABLE_FUNCTION_IDS } from '../support/api-functions.js';
import { appWith, executeApiUrlOf, logicalId } from '../support/cdk-app.js';

// No email configured: the first deploy of most users.
const app = appWith({});
const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
const apiStack = new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack));
const stateful = Template.fromStack(statefulStack);
const api = Template.fromStack(apiStack);

// Email configured through context, as `cdk synth -c emailDomain=… -c emailRecipients=…` gives it.
const emailStack = new StatefulStack(
  appWith({
    emailDomain: ' Mail.Example.COM ',
    emailRecipients: 'help@example.org, .example.net',
    inboundMailRetentionDays: '7',
  }),
  'ThreadlineStateful',
);
const email = Template.fromStack(emailStack);

const tableId = logicalId(statefulStack, 'Table');
const inboundId = logicalId(statefulStack, 'InboundQueue');
const deadLetterId = logicalId(statefulStack, 'InboundDeadLetterQueue');
const secretId = logicalId(statefulStack, 'ProviderSecret');
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const tableIndexesArn = { 'Fn::Join': ['', [tableArn, '/index/*']] };
const inboundArn = { 'Fn::GetAtt': [inboundId, 'Arn'] };
const mailId = logicalId(statefulStack, 'MailQueue');
const mailDeadLetterId = logicalId(statefulStack, 'MailDeadLetterQueue');
const mailArn = { 'Fn::GetAtt': [mailId, 'Arn'] };
const outboundId = logicalId(statefulStack, 'OutboundQueue');
const deadLetterQueueId = (queue: string) => logicalId(statefulStack, `${queue}DeadLetterQueue`);
const outboundArn = { 'Fn::GetAtt': [outboundId, 'Arn'] };
const webhookQueueId = logicalId(statefulStack, 'WebhookQueue');
const secretArn = { Ref: secretId };
const signingSecretId = logicalId(statefulStack, 'SigningSecret');
const signingSecretArn = { Ref: signingSecretId };
const bucketId = logicalId(statefulStack, 'InboundMailBucket');
const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
const inboundMailArn = { 'Fn::Join': ['', [bucketArn, '/inbound/*']] };
const receiptsTopicId = logicalId(statefulStack, 'SesReceiptsTopic');
const eventsTopicId = logicalId(statefulStack, 'SesEventsTopic');
const failedEventsId = logicalId(statefulStack, 'FailedEventsQueue');
const failedEventsArn = { 'Fn::GetAtt': [failedEventsId, 'Arn'] };
const thisAccount = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };

const OutputsSchema = z.record(
  z.string(),
  z.object({ Value: z.unknown(), Export: z.object({ Name: z.unknown() }).optional() }),
);
const statefulOutputs = OutputsSchema.parse(stateful.toJSON().Outputs);

/**
 * Replaces every cross-stack reference in an API-stack value by the stateful-stack expression it reads,
 * whether the reference is weak (Fn::GetStackOutput) or strong (Fn::ImportValue).
 */
function resolveRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveRefs);
  if (typeof value !== 'object' || value === null) return value;
  const weak = z.object({ 'Fn::GetStackOutput': z.object({ OutputName: z.string() }) }).safeParse(value);
  if (weak.success) return statefulOutputs[weak.data['Fn::GetStackOutput'].OutputName]?.Value;
  const strong = z.object({ 'Fn::ImportValue': z.unknown() }).safeParse(value);
  if (strong.success) {
    const name = strong.data['Fn::ImportValue'];
    return Object.values(statefulOutputs).find((o) => isDeepStrictEqual(o.Export?.Name, name))?.Value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v)]));
}

const FunctionSchema = z.object({
  Properties: z.object({
    Runtime: z.string(),
    Architectures: z.array(z.string()),
    Timeout: z.number(),
    MemorySize: z.number(),
    TracingConfig: z.unknown().optional(),
    LoggingConfig: z.object({ LogGroup: z.object({ Ref: z.string() }) }),
    Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }),
  }),
});

function functionProps(id: string) {
  return FunctionSchema.parse(api.toJSON().Resources[logicalId(apiStack, id)]).Properties;
}

const toArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const StatementSchema = z.object({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]).transform(toArray),
  Resource: z.unknown().transform(toArray),
  Condition: z.unknown().optional(),
});

/** Every statement granted to the function's role, its cross-stack references resolved. */
function statementsOf(functionId: string) {
  const roleId = logicalId(apiStack, `${functionId}/ServiceRole`);
  const policies = api.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((policy) =>
    z.array(StatementSchema).parse(resolveRefs(policy.Properties.PolicyDocument.Statement)),
  );
}

function actionsOn(functionId: string, resource: unknown): string[] {
  return statementsOf(functionId)
    .filter((s) => s.Effect === 'Allow' && s.Resource.some((r) => isDeepStrictEqual(r, resource)))
    .flatMap((s) => s.Action.map(String));
}

/** Every action the function's role is granted (Allow), on whatever resource. */
function allActions(functionId: string): string[] {
  return statementsOf(functionId)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => s.Action.map(String));
}

const ResourcePolicySchema = z.object({
  Properties: z.object({
    PolicyDocument: z.object({
      Statement: z.array(
        z.looseObject({ Effect: z.enum(['Allow', 'Deny']), Principal: z.unknown(), Condition: z.unknown() }),
      ),
    }),
  }),
});

/** The statements of the one resource policy of `type` (bucket, topic) attached through `property`. */
function resourcePolicy(template: Template, type: string, property: string, target: unknown) {
  const policies = Object.values(template.findResources(type, { Properties: { [property]: target } }));
  expect(policies).toHaveLength(1);
  return ResourcePolicySchema.parse(policies[0]).Properties.PolicyDocument.Statement;
}

describe('ThreadlineStateful', () => {
  it('keys the table exactly as the local engine creates it', () => {
    const local = tableDefinition('unused');
    stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: local.KeySchema,
      AttributeDefinitions: Match.arrayWith(local.AttributeDefinitions ?? []),
      GlobalSecondaryIndexes: local.GlobalSecondaryIndexes,
      BillingMode: 'PAY_PER_REQUEST',
    });
    const table = stateful.toJSON().Resources[tableId];
    expect(table.Properties.AttributeDefinitions).toHaveLength(8);
    expect(local.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['gsi1k', 'gsi2', 'gsi3']);
  });

  it('projects keys, the inbox filters (and agents with their open conversations) in two indexes, keys only in the customer list index, so per-message writes write none', () => {
    const filters = ['assignee', 'queue', 'channels'];
    const agent = ['id', 'queues', 'languages', 'capacity', 'presence', 'updatedAt'];
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1k',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: [...filters, ...agent, 'openConversationIds'],
          },
        },
        {
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: filters },
        },
        {
          IndexName: 'gsi3',
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('keeps the old gsi1 (projecting everything) beside gsi1k with keepGsi1, for the upgrade deploy', () => {
    const upgrading = Template.fromStack(
      new StatefulStack(appWith({ keepGsi1: 'true' }), 'ThreadlineStateful'),
    );
    const kept = tableDefinition('unused', { keepGsi1: true }).GlobalSecondaryIndexes;
    expect(kept?.map((index) => [index.IndexName, index.Projection?.ProjectionType])).toEqual([
      ['gsi1', 'ALL'],
      ['gsi1k', 'INCLUDE'],
      ['gsi2', 'INCLUDE'],
      ['gsi3', 'KEYS_ONLY'],
    ]);
    upgrading.hasResourceProperties('AWS::DynamoDB::Table', { GlobalSecondaryIndexes: kept });
    expect(() => new StatefulStack(appWith({ keepGsi1: 'yes' }), 'ThreadlineStateful')).toThrow(/^keepGsi1:/);
  });

  it('protects the table: point-in-time recovery, KMS encryption, deletion protection, retained', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has two groups in the agent pool: agents may use the API, admins also export, erase and merge', () => {
    const pool = { Ref: logicalId(statefulStack, 'AgentPool') };
    stateful.resourceCountIs('AWS::Cognito::UserPoolGroup', 2);
    stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', { UserPoolId: pool, GroupName: 'agents' });
    stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', { UserPoolId: pool, GroupName: 'admins' });
  });

  it('gives the console client SRP sign-in only: no OAuth flows or callback, short-lived tokens', () => {
    const clients = Object.values(stateful.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]?.Properties as Record<string, unknown>;
    // CDK's defaults would allow the implicit and code grants to https://example.com with every scope.
    expect(client.AllowedOAuthFlowsUserPoolClient).not.toBe(true);
    expect(client.AllowedOAuthFlows).toBeUndefined();
    expect(client.CallbackURLs).toBeUndefined();
    expect(client.AllowedOAuthScopes).toBeUndefined();
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client).toMatchObject({
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  it('keeps an agent on their verified email until they verify a new one, MFA required', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('encrypts the inbound queue and dead-letters a message after 5 receives', () => {
    stateful.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] }, maxReceiveCount: 5 },
    });
    const dlq = stateful.toJSON().Resources[deadLetterId];
    expect(dlq.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('gives the inbound queue a visibility timeout of at least six resolver timeouts', () => {
    const visibility = stateful.toJSON().Resources[inboundId].Properties.VisibilityTimeout;
    const resolverTimeout = functionProps('Resolver').Timeout;
    expect(resolverTimeout).toBe(inboundConsumer.timeout.toSeconds());
    expect(visibility).toBeGreaterThanOrEqual(6 * resolverTimeout);
  });

  it('encrypts the mail queue like the inbound queue and dead-letters a notification after 5 receives', () => {
    const queue = stateful.toJSON().Resources[mailId].Properties;
    expect(queue).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 24 * 3600,
      VisibilityTimeout: expect.any(Number),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [mailDeadLetterId, 'Arn'] }, maxReceiveCount: 5 },
    });
    const dlq = stateful.toJSON().Resources[mailDeadLetterId];
    expect(dlq.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(dlq.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  it('gives the mail queue a visibility timeout of at least six ses-mail timeouts', () => {
    const visibility = stateful.toJSON().Resources[mailId].Properties.VisibilityTimeout;
    const sesMailTimeout = functionProps('SesMail').Timeout;
    expect(sesMailTimeout).toBe(mailConsumer.timeout.toSeconds());
    expect(sesMailTimeout).toBeGreaterThanOrEqual(60);
    expect(visibility).toBeGreaterThanOrEqual(6 * sesMailTimeout);
  });

  it.each([
    ['inbound', () => inboundId],
    ['dead-letter', () => deadLetterId],
    ['mail', () => mailId],
    ['mail dead-letter', () => mailDeadLetterId],
  ])('denies plain-HTTP access to the %s queue', (_name, queueId) => {
    stateful.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('has Secrets Manager generate the provider secret, with an empty value for every key to fill in', () => {
    const secret = stateful.toJSON().Resources[secretId];
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.Name).toBe('threadline/providers');
    expect(secret.DeletionPolicy).toBe('RetainExceptOnCreate');
    const generate = secret.Properties.GenerateSecretString;
    expect(generate.GenerateStringKey).toBe('META_VERIFY_TOKEN');
    const template = z.record(z.string(), z.string()).parse(JSON.parse(generate.SecretStringTemplate));
    expect(Object.keys(template).sort()).toEqual(
      providerSecretTemplateKeys.filter((k) => k !== 'META_VERIFY_TOKEN').sort(),
    );
    expect(Object.values(template).every((v) => v === '')).toBe(true);
  });

  /**
   * Every template the provider secret was ever deployed with, as CloudFormation saw it (git log -p --
   * stacks/secrets.ts stacks/stateful-stack.ts). A change to a deployed one has CloudFormation generate
   * a new value, wiping the operator's credentials: these literals are never to be edited.
   */
  const historicTemplates = {
    '2026-11-21-first':
      '{"META_APP_SECRET":"","TWILIO_AUTH_TOKEN":"","TWILIO_ACCOUNT_SID":"","WHATSAPP_ACCESS_TOKEN":"",' +
      '"WHATSAPP_PHONE_NUMBER_ID":"","META_PAGE_ACCESS_TOKEN":"","SES_FROM_ADDRESS":"","AGENT_TOKENS":""}',
    '2026-11-21':
      '{"META_APP_SECRET":"","TWILIO_AUTH_TOKEN":"","TWILIO_ACCOUNT_SID":"","WHATSAPP_ACCESS_TOKEN":"",' +
      '"WHATSAPP_PHONE_NUMBER_ID":"","META_PAGE_ACCESS_TOKEN":"","SES_FROM_ADDRESS":"",' +
      '"TWILIO_FROM_NUMBER":"","TWILIO_WHATSAPP_FROM":"","AGENT_TOKENS":""}',
    '2026-12-03':
      '{"META_APP_SECRET":"","TWILIO_AUTH_TOKEN":"","TWILIO_ACCOUNT_SID":"","WHATSAPP_ACCESS_TOKEN":"",' +
      '"WHATSAPP_PHONE_NUMBER_ID":"","META_PAGE_ACCESS_TOKEN":"","SES_FROM_ADDRESS":"",' +
      '"TWILIO_FROM_NUMBER":"","TWILIO_WHATSAPP_FROM":"","AGENT_TOKENS":"","CSAT_SIGNING_SECRET":""}',
    '2026-12-04':
      '{"META_APP_SECRET":"","TWILIO_AUTH_TOKEN":"","TWILIO_ACCOUNT_SID":"","WHATSAPP_ACCESS_TOKEN":"",' +
      '"WHATSAPP_PHONE_NUMBER_ID":"","META_PAGE_ACCESS_TOKEN":"","SES_FROM_ADDRESS":"",' +
      '"TWILIO_FROM_NUMBER":"","TWILIO_WHATSAPP_FROM":"","CSAT_SIGNING_SECRET":""}',
  } as const;

  /** The provider secret's GenerateSecretString and description, as a stack synthesized with `context` writes them. */
  function providerSecretWith(context: Record<string, unknown>) {
    const stack = new StatefulStack(appWith(context), 'ThreadlineStateful');
    const { Properties } = Template.fromStack(stack).toJSON().Resources[logicalId(stack, 'ProviderSecret')];
    return { generate: Properties.GenerateSecretString, description: Properties.Description };
  }

  it('keeps the provider secret template of 2026-11-21 by default: a change would have CloudFormation replace its value', () => {
    const generate = stateful.toJSON().Resources[secretId].Properties.GenerateSecretString;
    expect(generate).toEqual({
      ExcludePunctuation: true,
      GenerateStringKey: 'META_VERIFY_TOKEN',
      PasswordLength: 32,
      SecretStringTemplate: historicTemplates['2026-11-21'],
    });
  });

  it('keeps every template a provider secret was deployed with, chosen by providerSecretTemplate', () => {
    expect(Object.keys(providerSecretTemplates).sort()).toEqual(Object.keys(historicTemplates).sort());
    for (const [shape, template] of Object.entries(historicTemplates)) {
      const { generate, description } = providerSecretWith({ providerSecretTemplate: shape });
      expect(generate, shape).toEqual({
        ExcludePunctuation: true,
        GenerateStringKey: 'META_VERIFY_TOKEN',
        PasswordLength: 32,
        SecretStringTemplate: template,
      });
      // The description names the shape (an operator tells them apart by it) and asks for the keys
      // the functions read; the placeholders no function reads it says to leave empty, as the README does.
      const keys = ['META_APP_SECRET', 'META_VERIFY_TOKEN', ...Object.keys(JSON.parse(template)).slice(1)];
      const unread: string[] = keys.filter((key) => key === 'AGENT_TOKENS' || key === 'CSAT_SIGNING_SECRET');
      const read = keys.filter((key) => !unread.includes(key));
      expect(description, shape).toBe(
        `Threadline provider credentials, shape ${shape} (JSON: ${read.join(', ')}); fill in after deploy` +
          (unread.length > 0 ? `; leave ${unread.join(' and ')} empty: no function reads them` : ''),
      );
    }
  });

  it("asks a fresh deploy's provider secret for no AGENT_TOKENS: agents sign in with Cognito on AWS", () => {
    const { description } = providerSecretWith({});
    expect(description).toMatch(
      /^Threadline provider credentials, shape 2026-11-21 \(JSON: [^)]*\); fill in/,
    );
    expect(description).not.toMatch(/\(JSON: [^)]*AGENT_TOKENS/);
    expect(description).toMatch(/leave AGENT_TOKENS empty: no function reads them$/);
  });

  it('fails synth on a providerSecretTemplate no version deployed, naming the setting and the shapes', () => {
    expect(() => providerSecretWith({ providerSecretTemplate: '2026-12-05' })).toThrow(
      /^providerSecretTemplate: .*2026-11-21-first, 2026-11-21, 2026-12-03, 2026-12-04/,
    );
  });

  it('has Secrets Manager generate the signing secret: the survey key generated, the identity key empty', () => {
    const secret = stateful.toJSON().Resources[signingSecretId];
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.Name).toBe('threadline/signing');
    expect(secret.DeletionPolicy).toBe('RetainExceptOnCreate');
    const generate = secret.Properties.GenerateSecretString;
    expect(generate.GenerateStringKey).toBe('CSAT_SIGNING_SECRET');
    // At least the 32 characters CSAT_SIGNING_SECRET takes.
    expect(generate.PasswordLength).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(generate.SecretStringTemplate)).toEqual({ WEBCHAT_IDENTITY_SECRET: '' });
    expect([...signingSecretKeys].sort()).toEqual([...SIGNING_SECRET_KEYS].sort());
  });

  it('gives the webhooks function 10 s beyond the longest WEBHOOK_TIMEOUT_MS, so one slow endpoint cannot fail its batch', () => {
    expect(webhookConsumer.timeout.toMilliseconds()).toBeGreaterThanOrEqual(WEBHOOK_TIMEOUT_MAX_MS + 10_000);
  });

  it('outputs the secret names, the table name and the dead-letter queue names', () => {
    stateful.hasOutput('ProviderSecretName', {});
    // The README's upgrade steps name the table by this output.
    stateful.hasOutput('TableName', { Value: { Ref: tableId } });
    stateful.hasOutput('SigningSecretName', {});
    stateful.hasOutput('InboundDeadLetterQueueName', {
      Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] },
    });
    stateful.hasOutput('MailDeadLetterQueueName', {
      Value: { 'Fn::GetAtt': [mailDeadLetterId, 'QueueName'] },
    });
  });

  it('keeps exports and reply files in a private SSE-S3 bucket, TLS only, and expires them after 3 and 30 days', () => {
    const id = logicalId(statefulStack, 'ExportsBucket');
    const bucket = stateful.toJSON().Resources[id];
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(Object.values(bucket.Properties.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'ExpireExports',
        Prefix: 'exports/',
        Status: 'Enabled',
        ExpirationInDays: 3,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
      {
        Id: 'ExpireUploads',
        Prefix: 'uploads/',
        Status: 'Enabled',
        ExpirationInDays: 30,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    // The console PUTs a file's bytes with a presigned URL: the preflight of that PUT only, with the
    // upload's agent as the object's metadata.
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      {
        AllowedMethods: ['PUT'],
        AllowedOrigins: ['*'],
        AllowedHeaders: ['content-type', 'x-amz-meta-agent'],
        MaxAge: 900,
      },
    ]);
    const statements = resourcePolicy(stateful, 'AWS::S3::BucketPolicy', 'Bucket', { Ref: id });
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets the agent API put, get and delete objects under exports/ only, and list nothing else', () => {
    const arn = { 'Fn::GetAtt': [logicalId(statefulStack, 'ExportsBucket'), 'Arn'] };
    const onExports = statementsOf('AgentApi').filter((s) =>
      s.Resource.some((r) => isDeepStrictEqual(r, { 'Fn::Join': ['', [arn, '/exports/*']] })),
    );
    expect(onExports.flatMap((s) => s.Action).sort()).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    const onBucket = statementsOf('AgentApi').filter((s) =>
      s.Resource.some((r) => isDeepStrictEqual(r, arn)),
    );
    expect(onBucket.map((s) => [s.Action, s.Condition])).toEqual([
      [['s3:ListBucket'], { StringLike: { 's3:prefix': ['exports/*'] } }],
      [['s3:ListBucket'], { StringLike: { 's3:prefix': ['uploads/*'] } }],
    ]);
  });

  it('lets the agent API sign URLs for, and delete, reply files under uploads/ only; serves their links', () => {
    const arn = { 'Fn::GetAtt': [logicalId(statefulStack, 'ExportsBucket'), 'Arn'] };
    const onUploads = statementsOf('AgentApi').filter((s) =>
      s.Resource.some((r) => isDeepStrictEqual(r, { 'Fn::Join': ['', [arn, '/uploads/*']] })),
    );
    expect(onUploads.flatMap((s) => s.Action).sort()).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    for (const routeKey of ['POST /api/uploads', 'GET /files/{proxy+}', 'HEAD /files/{proxy+}']) {
      api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
  });

  it('keeps raw mail in a private SSE-S3 bucket that outlives the stack and expires it after 30 days', () => {
    stateful.resourceCountIs('AWS::S3::Bucket', 2);
    const bucket = stateful.toJSON().Resources[bucketId];
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties).toEqual({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      // No prefix: everything in the bucket is raw mail.
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'ExpireRawMail',
            Status: 'Enabled',
            ExpirationInDays: 30,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    });
  });

  it('lets SES of this account put objects under inbound/ only, and denies plain HTTP to everyone', () => {
    const statements = resourcePolicy(stateful, 'AWS::S3::BucketPolicy', 'Bucket', { Ref: bucketId });
    expect(statements).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: inboundMailArn,
        Condition: thisAccount,
      },
    ]);
  });

  it('has two SNS topics signing with SHA256, one for receipts and one for sending events, and the alarm topic', () => {
    stateful.resourceCountIs('AWS::SNS::Topic', 3);
    for (const id of [receiptsTopicId, eventsTopicId]) {
      expect(stateful.toJSON().Resources[id].Properties.SignatureVersion).toBe('2');
    }
  });

  it('lets SES of this account publish receipts, over TLS only', () => {
    const statements = resourcePolicy(stateful, 'AWS::SNS::TopicPolicy', 'Topics', [
      { Ref: receiptsTopicId },
    ]);
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: receiptsTopicId },
        Condition: thisAccount,
      }),
    ]);
  });

  it('publishes bounces, complaints and deliveries of the configuration set to the events topic', () => {
    stateful.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    const configurationSetId = logicalId(statefulStack, 'SesConfigurationSet');
    stateful.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'delivery'],
        SnsDestination: { TopicARN: { Ref: eventsTopicId } },
      },
    });
    const statements = resourcePolicy(stateful, 'AWS::SNS::TopicPolicy', 'Topics', [{ Ref: eventsTopicId }]);
    const allowed = statements.filter((s) => s.Effect === 'Allow');
    expect(allowed).toEqual([
      expect.objectContaining({
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: {
            'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':ses:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':configuration-set/',
                  { Ref: configurationSetId },
                ],
              ],
            },
          },
        },
      }),
    ]);
  });

  it('keeps SES function failures on an encrypted queue for 14 days', () => {
    const queue = stateful.toJSON().Resources[failedEventsId];
    expect(queue.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(queue.DeletionPolicy).toBe('RetainExceptOnCreate');
    stateful.hasOutput('FailedEventsQueueName', { Value: { 'Fn::GetAtt': [failedEventsId, 'QueueName'] } });
  });

  it('outputs the bucket and configuration set names', () => {
    stateful.hasOutput('InboundMailBucketName', { Value: { Ref: bucketId } });
    // The README's erasure notes name the exports bucket (`aws s3 rm s3://<ExportsBucketName output>/...`).
    stateful.hasOutput('ExportsBucketName', { Value: { Ref: logicalId(statefulStack, 'ExportsBucket') } });
    stateful.hasOutput('SesConfigurationSetName', {
      Value: { Ref: logicalId(statefulStack, 'SesConfigurationSet') },
    });
  });

  it('creates no receipt rule set, and no output about one, when no recipient is configured', () => {
    stateful.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    stateful.resourceCountIs('AWS::SES::ReceiptRule', 0);
    expect(statefulStack.sesReceiptRuleSet).toBeUndefined();
    expect(Object.keys(stateful.findOutputs('*'))).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/ReceiptRuleSet|MxRecord/)]),
    );
  });
});

describe('ThreadlineStateful with email configured', () => {
  const bucket = logicalId(emailStack, 'InboundMailBucket');
  const ruleSetId = logicalId(emailStack, 'SesReceiptRuleSet');

  it('stores mail for the domain and the recipients under inbound/, scanned, and notifies the receipts topic', () => {
    email.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    email.resourceCountIs('AWS::SES::ReceiptRule', 1);
    const [rule] = Object.values(email.findResources('AWS::SES::ReceiptRule'));
    expect(rule?.Properties).toEqual({
      RuleSetName: { Ref: ruleSetId },
      Rule: {
        Enabled: true,
        ScanEnabled: true,
        Recipients: ['mail.example.com', 'help@example.org', '.example.net'],
        Actions: [
          {
            S3Action: {
              BucketName: { Ref: bucket },
              ObjectKeyPrefix: 'inbound/',
              TopicArn: { Ref: logicalId(emailStack, 'SesReceiptsTopic') },
            },
          },
        ],
      },
    });
  });

  it('creates the rule only once SES may write the bucket and publish to the topic', () => {
    const [rule] = Object.values(email.findResources('AWS::SES::ReceiptRule'));
    expect(rule?.DependsOn).toEqual(
      expect.arrayContaining([
        logicalId(emailStack, 'InboundMailBucket/Policy'),
        logicalId(emailStack, 'SesReceiptsTopic/Policy'),
      ]),
    );
  });

  it('keeps a single SES statement in the bucket policy', () => {
    const statements = resourcePolicy(email, 'AWS::S3::BucketPolicy', 'Bucket', { Ref: bucket });
    expect(statements.filter((s) => s.Effect === 'Allow')).toHaveLength(1);
  });

  it('expires raw mail after the configured number of days', () => {
    email.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
    });
  });

  it('outputs the rule set name, the command that activates it and the MX records to create', () => {
    email.hasOutput('SesReceiptRuleSetName', { Value: { Ref: ruleSetId } });
    email.hasOutput('SesActivateReceiptRuleSetCommand', {
      Value: {
        'Fn::Join': [
          '',
          [
            'aws ses set-active-receipt-rule-set --rule-set-name ',
            { Ref: ruleSetId },
            ' --region ',
            { Ref: 'AWS::Region' },
          ],
        ],
      },
    });
    const region = { Ref: 'AWS::Region' };
    email.hasOutput('SesMxRecord', {
      Value: {
        'Fn::Join': [
          '',
          [
            'mail.example.com MX 10 inbound-smtp.',
            region,
            '.amazonaws.com, example.org MX 10 inbound-smtp.',
            region,
            '.amazonaws.com, *.example.net MX 10 inbound-smtp.',
            region,
            '.amazonaws.com',
          ],
        ],
      },
    });
  });

  it('takes recipients and retention from props over context', () => {
    const stack = new StatefulStack(appWith({ emailDomain: 'ignored.example.com' }), 'ThreadlineStateful', {
      emailDomain: 'example.com',
      emailRecipients: ['Sales@Example.org'],
      inboundMailRetentionDays: 90,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({ Recipients: ['example.com', 'sales@example.org'] }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
    });
  });

  it.each([
    [{ emailDomain: 'help@example.com' }, /^emailDomain: a domain/],
    [{ emailRecipients: 'help@example.com,not an address' }, /^emailRecipients: an address/],
    [{ emailRecipients: Array.from({ length: 101 }, (_, i) => `a${i}@example.com`) }, /at most 100/],
    [{ inboundMailRetentionDays: '0' }, /^inboundMailRetentionDays:/],
    [{ inboundMailRetentionDays: 'thirty' }, /^inboundMailRetentionDays:/],
  ])('refuses the context %j, naming the key', (context, message) => {
    expect(() => new StatefulStack(appWith(context), 'ThreadlineStateful')).toThrow(message);
  });
});

describe('ThreadlineApi', () => {
  const functionIds = API_FUNCTION_IDS;
  const timersSettings = {
    TIMERS_QUEUE_URL: { Ref: logicalId(statefulStack, 'TimersQueue') },
    TIMERS_QUEUE_ARN: { 'Fn::GetAtt': [logicalId(statefulStack, 'TimersQueue'), 'Arn'] },
    TIMERS_DEAD_LETTER_ARN: { 'Fn::GetAtt': [logicalId(statefulStack, 'TimersDeadLetterQueue'), 'Arn'] },
    TIMERS_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [logicalId(apiStack, 'TimersSchedulerRole'), 'Arn'] },
    TIMERS_SCHEDULE_GROUP: 'ThreadlineApi-timers',
  };
  const memory: Record<string, number> = { SesMail: 1024 };
  const agentSignIn = {
    COGNITO_USER_POOL_ID: { Ref: logicalId(statefulStack, 'AgentPool') },
    COGNITO_CLIENT_ID: { Ref: logicalId(statefulStack, 'AgentPool/AgentConsole') },
    AGENT_GROUP: 'agents',
    ADMIN_GROUP: 'admins',
  };

  it('holds exactly the expected functions', () => {
    api.resourceCountIs('AWS::Lambda::Function', functionIds.length);
  });

  it.each(functionIds)('runs %s on Node 22, arm64, source maps on, logs kept 30 days', (id) => {
    const props = functionProps(id);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.MemorySize).toBe(memory[id] ?? 512);
    expect(props.TracingConfig).toBeUndefined();
    expect(props.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    const logGroup = api.toJSON().Resources[props.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  const executeApiUrl = executeApiUrlOf(apiStack);
  it.each([
    ['WhatsApp', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['Meta', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['TwilioSms', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['TwilioVoice', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    [
      'Ses',
      {
        MAIL_QUEUE_URL: { Ref: mailId },
        SNS_TOPIC_ARNS: { 'Fn::Join': [',', [{ Ref: receiptsTopicId }, { Ref: eventsTopicId }]] },
      },
    ],
    [
      'SesMail',
      {
        INBOUND_QUEUE_URL: { Ref: inboundId },
        MAIL_DEAD_LETTER_QUEUE_URL: { Ref: deadLetterQueueId('Mail') },
      },
    ],
    [
      'Resolver',
      {
        TABLE_NAME: { Ref: tableId },
        OUTBOUND_QUEUE_URL: { Ref: outboundId },
        INBOUND_DEAD_LETTER_QUEUE_URL: { Ref: deadLetterQueueId('Inbound') },
        ...timersSettings,
        // It sends the AI's replies, as the sender does the others (web chat's `delivered` on the inbound queue).
        PROVIDER_SECRET_ARN: secretArn,
        INBOUND_QUEUE_URL: { Ref: inboundId },
        OUTBOUND_MAX_ATTEMPTS: '5',
        SES_CONFIGURATION_SET: { Ref: logicalId(statefulStack, 'SesConfigurationSet') },
        PUBLIC_BASE_URL: executeApiUrl,
      },
    ],
    [
      'Timers',
      {
        TABLE_NAME: { Ref: tableId },
        OUTBOUND_QUEUE_URL: { Ref: outboundId },
        ...timersSettings,
        // Email surveys: links signed with the signing secret's CSAT_SIGNING_SECRET, on the API's public URL.
        SIGNING_SECRET_ARN: signingSecretArn,
        PUBLIC_BASE_URL: executeApiUrl,
      },
    ],
    [
      'AgentApi',
      {
        TABLE_NAME: { Ref: tableId },
        OUTBOUND_QUEUE_URL: { Ref: outboundId },
        // The survey page's key; never the provider secret (its file routes are AgentMedia's).
        SIGNING_SECRET_ARN: signingSecretArn,
        ...agentSignIn,
        ...timersSettings,
        WEBHOOK_QUEUE_URL: { Ref: webhookQueueId },
        EXPORTS_BUCKET: { Ref: logicalId(statefulStack, 'ExportsBucket') },
        UPLOADS_BUCKET: { Ref: logicalId(statefulStack, 'ExportsBucket') },
        // The console opens the agents' live socket here.
        CONSOLE_LIVE_URL: expect.anything(),
      },
    ],
    [
      'AgentMedia',
      // The timeline's files: Twilio's and WhatsApp's credentials, the table, the agents' sign-in; nothing else.
      { TABLE_NAME: { Ref: tableId }, PROVIDER_SECRET_ARN: secretArn, ...agentSignIn },
    ],
    ['Events', { TABLE_NAME: { Ref: tableId }, WEBHOOK_QUEUE_URL: { Ref: webhookQueueId } }],
    ['Webhooks', { TABLE_NAME: { Ref: tableId }, WEBHOOK_QUEUE_URL: { Ref: webhookQueueId } }],
    [
      'Sender',
      {
        TABLE_NAME: { Ref: tableId },
        PROVIDER_SECRET_ARN: secretArn,
        INBOUND_QUEUE_URL: { Ref: inboundId },
        OUTBOUND_DEAD_LETTER_QUEUE_URL: { Ref: deadLetterQueueId('Outbound') },
        OUTBOUND_MAX_ATTEMPTS: '5',
        SES_CONFIGURATION_SET: { Ref: logicalId(statefulStack, 'SesConfigurationSet') },
        PUBLIC_BASE_URL: executeApiUrl,
        // An answer it gives up on takes back the SLA target it met: that target's timers start again.
        ...timersSettings,
      },
    ],
  ])('gives %s exactly the settings it is bound to', (id, bound) => {
    const variables = resolveRefs(functionProps(id).Environment.Variables);
    expect(variables).toEqual({ NODE_OPTIONS: '--enable-source-maps', ...bound });
  });

  it('keeps provider secret values out of the template', () => {
    const template = JSON.stringify(api.toJSON());
    const keys: readonly string[] = [...providerSecretKeys, ...signingSecretKeys];
    for (const key of keys) expect(template).not.toContain(key);
    for (const id of functionIds) {
      const names = Object.keys(functionProps(id).Environment.Variables);
      expect(names.filter((n) => keys.includes(n))).toEqual([]);
    }
  });

  const eventSourceMappings = () =>
    Object.values(api.findResources('AWS::Lambda::EventSourceMapping')).map((m) => resolveRefs(m.Properties));

  it('maps exactly five queues (timers and webhooks among them) and the table stream (twice) to functions', () => {
    api.resourceCountIs('AWS::Lambda::EventSourceMapping', 7);
  });

  it('feeds the webhooks function from the webhook queue in batches of 10, reporting item failures', () => {
    expect(eventSourceMappings()).toContainEqual({
      EventSourceArn: { 'Fn::GetAtt': [webhookQueueId, 'Arn'] },
      FunctionName: { Ref: logicalId(apiStack, 'Webhooks') },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('feeds the events function from the table stream in order, bisecting and reporting failures, then to the failures queue', () => {
    const onStream = eventSourceMappings().find((m) =>
      isDeepStrictEqual((m as { EventSourceArn?: unknown }).EventSourceArn, {
        'Fn::GetAtt': [tableId, 'StreamArn'],
      }),
    );
    expect(onStream).toMatchObject({
      FunctionName: { Ref: logicalId(apiStack, 'Events') },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      ParallelizationFactor: 1,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalId(statefulStack, 'ChangeFeedFailuresQueue'), 'Arn'] },
        },
      },
    });
  });

  it('streams the table with the old and new images, and expires items on `ttl`', () => {
    const table = stateful.toJSON().Resources[tableId].Properties;
    expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it.each([
    ['Resolver', inboundArn],
    ['Sender', outboundArn],
    ['Timers', { 'Fn::GetAtt': [logicalId(statefulStack, 'TimersQueue'), 'Arn'] }],
  ])('feeds %s from its queue in batches of 10, reporting item failures', (id, queueArn) => {
    expect(eventSourceMappings()).toContainEqual({
      EventSourceArn: queueArn,
      FunctionName: { Ref: logicalId(apiStack, id) },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('feeds ses-mail from the mail queue one notification at a time, reporting item failures', () => {
    const onMailQueue = eventSourceMappings().filter((m) =>
      isDeepStrictEqual((m as { EventSourceArn?: unknown }).EventSourceArn, mailArn),
    );
    expect(onMailQueue).toEqual([
      {
        EventSourceArn: mailArn,
        FunctionName: { Ref: logicalId(apiStack, 'SesMail') },
        BatchSize: mailConsumer.batchSize,
        MaximumBatchingWindowInSeconds: mailConsumer.maxBatchingWindow.toSeconds(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: mailConsumer.maxConcurrency },
      },
    ]);
  });

  it('lets the sender and the resolver (the AI’s replies) send email only with the configuration set, so bounces come back', () => {
    const policies = Object.entries(api.findResources('AWS::IAM::Policy')).flatMap(([id, p]) =>
      p.Properties.PolicyDocument.Statement.filter(
        (st: { Action: unknown }) => st.Action === 'ses:SendRawEmail',
      ).map((st: { Condition: unknown }) => ({ id, condition: st.Condition })),
    );
    expect(policies.map((p) => p.id).sort()).toEqual(
      ['Resolver', 'Sender'].map((fn) => logicalId(apiStack, `${fn}/ServiceRole/DefaultPolicy`)).sort(),
    );
    for (const { condition } of policies) {
      expect(resolveRefs(condition)).toEqual({
        StringEquals: {
          'ses:ConfigurationSetName': { Ref: logicalId(statefulStack, 'SesConfigurationSet') },
        },
      });
    }
  });

  it('dead-letters a reply after 5 deliveries', () => {
    const outbound = stateful.toJSON().Resources[outboundId].Properties;
    expect(outbound.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(outbound.SqsManagedSseEnabled).toBe(true);
  });

  const routeTable = [
    ['GET /webhooks/whatsapp', 'WhatsApp'],
    ['POST /webhooks/whatsapp', 'WhatsApp'],
    ['GET /webhooks/meta', 'Meta'],
    ['POST /webhooks/meta', 'Meta'],
    ['POST /webhooks/twilio/sms', 'TwilioSms'],
    ['POST /webhooks/twilio/status', 'TwilioSms'],
    ['POST /webhooks/twilio/voice', 'TwilioVoice'],
    ['POST /webhooks/twilio/voice/recording', 'TwilioVoice'],
    ['POST /webhooks/twilio/voice/transcription', 'TwilioVoice'],
    ['POST /webhooks/twilio/voice/status', 'TwilioVoice'],
    ['POST /webhooks/twilio/voice/after-record', 'TwilioVoice'],
    ['POST /webhooks/ses', 'Ses'],
    ['ANY /api/{proxy+}', 'AgentApi'],
    ['GET /api/customers/{id}/timeline/{itemId}/attachments/{index}', 'AgentMedia'],
    ['GET /api/customers/{id}/timeline/{itemId}/recording', 'AgentMedia'],
    ['HEAD /api/customers/{id}/timeline/{itemId}/attachments/{index}', 'AgentMedia'],
    ['HEAD /api/customers/{id}/timeline/{itemId}/recording', 'AgentMedia'],
    ['POST /api/uploads', 'AgentApi'],
    ['GET /files/{proxy+}', 'AgentApi'],
    ['HEAD /files/{proxy+}', 'AgentApi'],
    ['GET /csat/{token}', 'AgentApi'],
    ['POST /csat/{token}', 'AgentApi'],
    ['ANY /webchat/{proxy+}', 'Webchat'],
    ['GET /console', 'AgentApi'],
    ['GET /console/{proxy+}', 'AgentApi'],
  ];
  it.each(routeTable)('routes %s to %s', (routeKey, functionId) => {
    const routes = api.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } });
    const [route] = Object.values(routes);
    expect(Object.keys(routes)).toHaveLength(1);
    const target = z
      .object({
        'Fn::Join': z.tuple([
          z.literal(''),
          z.tuple([z.literal('integrations/'), z.object({ Ref: z.string() })]),
        ]),
      })
      .parse(route?.Properties.Target);
    const integration = api.toJSON().Resources[target['Fn::Join'][1][1].Ref];
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(apiStack, functionId), 'Arn'] },
    });
  });

  it('exposes no other route (each WebSocket API has its three)', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Route', routeTable.length + 3 + 3);
  });

  it("routes $connect, $disconnect and $default of the visitors' WebSocket API to the webchat-live function", () => {
    const visitorsApi = logicalId(apiStack, 'WebchatLiveApi');
    for (const routeKey of ['$connect', '$disconnect', '$default']) {
      const routes = api.findResources('AWS::ApiGatewayV2::Route', {
        Properties: { RouteKey: routeKey, ApiId: { Ref: visitorsApi } },
      });
      expect(Object.keys(routes), routeKey).toHaveLength(1);
      expect(Object.values(routes)[0]?.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    const integrations = api.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { ApiId: { Ref: visitorsApi } },
    });
    expect(JSON.stringify(integrations)).toContain(logicalId(apiStack, 'WebchatLive'));
  });

  it('routes $connect, $disconnect and $default of the live WebSocket API to the live function', () => {
    const liveApi = logicalId(apiStack, 'LiveApi');
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'threadline-live',
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    for (const routeKey of ['$connect', '$disconnect', '$default']) {
      const routes = api.findResources('AWS::ApiGatewayV2::Route', {
        Properties: { RouteKey: routeKey, ApiId: { Ref: liveApi } },
      });
      expect(Object.keys(routes), routeKey).toHaveLength(1);
      // No API Gateway authoriser: the function checks the Cognito token of ?token= on $connect (401).
      expect(Object.values(routes)[0]?.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    api.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: { Ref: liveApi },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [logicalId(apiStack, 'Live'), 'Arn'] })]),
        ]),
      }),
    });
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: liveApi },
      StageName: 'live',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ Format: Match.not(Match.stringLikeRegexp('querystring')) }),
    });
    expect(Object.keys(api.toJSON().Outputs)).toContain('LiveWebSocketUrl');
  });

  it('logs both WebSocket stages alike: each to its own log group kept 30 days, the same fields, no query string', () => {
    const stages = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
    const settings = [
      ['LiveApi', 'LiveAccessLogs'],
      ['WebchatLiveApi', 'WebchatLiveAccessLogs'],
    ].map(([apiId, logsId]) => {
      const ref = { Ref: logicalId(apiStack, apiId as string) };
      const stage = stages.find((one) => JSON.stringify(one.Properties.ApiId) === JSON.stringify(ref));
      const logs = logicalId(apiStack, logsId as string);
      expect(stage?.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logs, 'Arn'] });
      expect(api.toJSON().Resources[logs].Properties.RetentionInDays).toBe(30);
      return stage?.Properties.AccessLogSettings;
    });
    const [live, visitors] = settings.map((one) => JSON.parse(one.Format));
    expect(visitors).toEqual(live);
    expect(Object.keys(live)).toEqual(
      expect.arrayContaining(['requestId', 'routeKey', 'eventType', 'status']),
    );
    expect(JSON.stringify(live)).not.toMatch(/querystring|path/i);
  });

  it('verifies agents with the Cognito pool in the live function and lets both live functions post to sockets only', () => {
    const variables = resolveRefs(functionProps('Live').Environment.Variables);
    expect(variables).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      AGENT_GROUP: 'agents',
      ADMIN_GROUP: 'admins',
      LIVE_CALLBACK_URL: expect.anything(),
    });
    expect(Object.keys(variables as object)).toEqual(
      expect.arrayContaining(['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID']),
    );
    expect(resolveRefs(functionProps('LiveStream').Environment.Variables)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      TABLE_NAME: { Ref: tableId },
      LIVE_CALLBACK_URL: expect.anything(),
      // The visitors' fan-out rides on the same stream reader.
      WEBCHAT_LIVE_ENDPOINT: expect.anything(),
    });
    for (const fn of ['Live', 'LiveStream']) {
      const policies = Object.values(
        api.findResources('AWS::IAM::Policy', {
          Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${fn}ServiceRole`) }] },
        }),
      );
      const statements = JSON.stringify(policies.map((p) => p.Properties.PolicyDocument.Statement));
      expect(statements, fn).toContain('execute-api:ManageConnections');
      expect(statements, fn).toContain('/@connections/*');
    }
  });

  it('feeds the live-stream function from the table stream, only changes of the entities sockets show', () => {
    const mapping = eventSourceMappings().find(
      (m) =>
        (m as { FunctionName?: unknown }).FunctionName !== undefined &&
        isDeepStrictEqual((m as { FunctionName?: unknown }).FunctionName, {
          Ref: logicalId(apiStack, 'LiveStream'),
        }),
    ) as Record<string, unknown> | undefined;
    expect(mapping).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ParallelizationFactor: 1,
    });
    const filters = JSON.stringify(mapping?.FilterCriteria);
    for (const entity of ['timeline', 'conversation', 'customer', 'suggestion', 'agent'])
      expect(filters).toContain(entity);
    // An admin's removal of an agent, whose open sockets the function closes.
    expect(filters).toContain('\\"agent_removal\\"');
    expect(filters).not.toContain('live_event');
  });

  it('throttles the default stage and writes access logs to a log group kept 30 days', () => {
    const logsId = logicalId(apiStack, 'ApiAccessLogs');
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logsId, 'Arn'] },
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
    expect(api.toJSON().Resources[logsId].Properties.RetentionInDays).toBe(30);
  });

  it('lets the WhatsApp function enqueue and read the provider secret, and never touch the table', () => {
    expect(actionsOn('WhatsApp', inboundArn)).toContain('sqs:SendMessage');
    expect(actionsOn('WhatsApp', secretArn)).toContain('secretsmanager:GetSecretValue');
    expect(allActions('WhatsApp').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it("lets the visitors' socket function use the table, send read receipts to the queue and post pongs: no secret", () => {
    expect(actionsOn('WebchatLive', tableArn)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']),
    );
    expect(actionsOn('WebchatLive', inboundArn)).toContain('sqs:SendMessage');
    expect(allActions('WebchatLive').filter((a) => /^sqs:(Receive|Delete)/.test(a))).toEqual([]);
    expect(allActions('WebchatLive').filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    const env = resolveRefs(functionProps('WebchatLive').Environment.Variables) as Record<string, unknown>;
    expect(env).toMatchObject({
      INBOUND_QUEUE_URL: expect.anything(),
      WEBCHAT_LIVE_ENDPOINT: expect.anything(),
    });
    expect(env.PROVIDER_SECRET_ARN).toBeUndefined();
    const policies = Object.values(
      api.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^WebchatLiveServiceRole') }] },
      }),
    );
    const statements = JSON.stringify(policies.map((p) => p.Properties.PolicyDocument.Statement));
    expect(statements).toContain('execute-api:ManageConnections');
    expect(statements).toContain('/@connections/*');
    // Its own API's connections only, not the agents'.
    expect(statements).toContain(logicalId(apiStack, 'WebchatLiveApi'));
    expect(statements).not.toContain(`"${logicalId(apiStack, 'LiveApi')}"`);
  });

  it('lets the resolver write the table and its index, consume the queue, and read the provider secret to send the AI’s replies', () => {
    expect(actionsOn('Resolver', tableArn)).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
      ]),
    );
    expect(actionsOn('Resolver', tableIndexesArn)).toEqual(['dynamodb:Query']);
    expect(actionsOn('Resolver', inboundArn)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
    // It sends the AI's replies itself, with the provider credentials: reading the secret only.
    expect(actionsOn('Resolver', secretArn)).toContain('secretsmanager:GetSecretValue');
    expect(
      allActions('Resolver').filter(
        (a) => a.startsWith('secretsmanager:') && !/^secretsmanager:(Get|Describe)/.test(a),
      ),
    ).toEqual([]);
    // A reply it could not send goes to the outbound queue, like agents'.
    expect(actionsOn('Resolver', outboundArn)).toContain('sqs:SendMessage');
  });

  it("lets the sender start a taken-back SLA target's timers again: the timers queue, its group's schedules, its role", () => {
    const timersArn = timersSettings.TIMERS_QUEUE_ARN;
    const schedulerRole = timersSettings.TIMERS_SCHEDULER_ROLE_ARN;
    // Sends to the timers queue (a timer due within 15 minutes), and takes nothing from it.
    expect(actionsOn('Sender', timersArn).filter((a) => a.startsWith('sqs:Receive'))).toEqual([]);
    expect(actionsOn('Sender', timersArn)).toContain('sqs:SendMessage');
    expect(actionsOn('Sender', schedulerRole)).toEqual(['iam:PassRole']);
    const scheduling = statementsOf('Sender').filter((st) =>
      st.Action.some((a) => String(a).startsWith('scheduler:')),
    );
    expect(scheduling.flatMap((st) => st.Action).sort()).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
    ]);
    expect(JSON.stringify(scheduling.flatMap((st) => st.Resource))).toContain(
      ':schedule/ThreadlineApi-timers/*',
    );
    // Nothing else of the clock's: it resolves nothing, sends no survey, reads no signing key.
    expect(functionProps('Sender').Environment.Variables.SIGNING_SECRET_ARN).toBeUndefined();
    expect(actionsOn('Sender', outboundArn).filter((a) => a === 'sqs:SendMessage')).toEqual([]);
  });

  it.each(['Resolver', 'Sender'])('lets %s report a web-chat reply delivered on the inbound queue', (id) => {
    expect(actionsOn(id, inboundArn)).toContain('sqs:SendMessage');
  });

  it('lets the agent API read and write the table and read the signing secret', () => {
    expect(actionsOn('AgentApi', tableArn)).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
      ]),
    );
    expect(actionsOn('AgentApi', tableIndexesArn)).toContain('dynamodb:Query');
    expect(actionsOn('AgentApi', signingSecretArn)).toContain('secretsmanager:GetSecretValue');
    // It sends replies to the outbound queue and touches no other queue.
    expect(actionsOn('AgentApi', outboundArn)).toContain('sqs:SendMessage');
    expect(actionsOn('AgentApi', inboundArn).filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets agent-media read the table (GetItem, BatchGetItem), the provider secret and mail under inbound/, and nothing else', () => {
    const statements = statementsOf('AgentMedia').filter((st) => st.Effect === 'Allow');
    // Its only item calls: the customer and their group, the item, a removal record. No write, no index.
    expect(statements.filter((st) => st.Action.some((a) => String(a).startsWith('dynamodb:')))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], Resource: [tableArn] },
    ]);
    expect(actionsOn('AgentMedia', secretArn)).toContain('secretsmanager:GetSecretValue');
    const services = new Set(allActions('AgentMedia').map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 's3', 'secretsmanager']);
    expect(actionsOn('AgentMedia', signingSecretArn)).toEqual([]);
    // An email's files are read from its MIME: objects under inbound/ only, never written.
    expect(actionsOn('AgentMedia', inboundMailArn)).toContain('s3:GetObject*');
    const s3 = statements.filter((st) => st.Action.some((a) => String(a).startsWith('s3:')));
    expect(s3.flatMap((st) => st.Resource)).not.toContainEqual({ 'Fn::Join': ['', [bucketArn, '/*']] });
    expect(s3.flatMap((st) => st.Action.map(String)).filter((a) => /Put|Delete/.test(a))).toEqual([]);
  });

  it("routes only the two file paths (GET and HEAD) to agent-media, with the agent API's timeout", () => {
    expect(functionProps('AgentMedia').Timeout).toBe(15);
    expect(functionProps('AgentMedia').Timeout).toBe(functionProps('AgentApi').Timeout);
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).filter((route) =>
      JSON.stringify(route.Properties.Target ?? '').includes('AgentMediaIntegration'),
    );
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'GET /api/customers/{id}/timeline/{itemId}/attachments/{index}',
      'GET /api/customers/{id}/timeline/{itemId}/recording',
      'HEAD /api/customers/{id}/timeline/{itemId}/attachments/{index}',
      'HEAD /api/customers/{id}/timeline/{itemId}/recording',
    ]);
  });

  /**
   * The functions that delete items: erasure, merges and webhook subscriptions (agent API), sockets
   * gone, the erasure's second pass (timers).
   */
  const deleters = ['AgentApi', 'Live', 'LiveStream', 'WebchatLive', 'Timers'];
  const tableFunctionIds = TABLE_FUNCTION_IDS;

  it.each(tableFunctionIds)('grants %s the item calls its code makes, never Scan or BatchWriteItem', (id) => {
    const actions = allActions(id).filter(
      (a) => a.startsWith('dynamodb:') && !/Stream|Shard|Records/.test(a),
    );
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']),
    );
    for (const never of ['Scan', 'BatchWriteItem', 'ConditionCheckItem', 'DescribeTable'])
      expect(actions).not.toContain(`dynamodb:${never}`);
    expect(actions.includes('dynamodb:DeleteItem')).toBe(deleters.includes(id));
    expect(actionsOn(id, tableIndexesArn).filter((a) => a !== 'dynamodb:Query')).toEqual([]);
  });

  it.each(tableFunctionIds)(
    'denies %s changing or deleting an audit item, and putting one unless it records audited calls (the agent API)',
    (id) => {
      const denied = statementsOf(id).filter((s) => s.Effect === 'Deny');
      expect(denied).toEqual([
        {
          Effect: 'Deny',
          Action: [
            'dynamodb:BatchWriteItem',
            'dynamodb:DeleteItem',
            ...(id === 'AgentApi' ? [] : ['dynamodb:PutItem']),
            'dynamodb:UpdateItem',
          ],
          Resource: [tableArn],
          Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
        },
      ]);
    },
  );

  it('denies every audit item: the records and their index entries by customer, agent and action', () => {
    const keys = [
      auditPartition(7),
      auditOfCustomerPartition('cu_1'),
      auditByAgentPartition(7, 'zoe'),
      auditByActionPartition(7, 'erase'),
    ];
    for (const key of keys) expect(key).toMatch(/^AUDIT#/);
  });

  // The visitors' socket function: its connections, the session it renews and its rate counters; the
  // live stream function: the live log, the sockets and the visitors' connections.
  it.each([
    ['WebchatLive', visitorSocketWrites],
    ['LiveStream', liveStreamWrites],
  ] as const)("confines %s's writes to the partitions it uses", (id, prefixes) => {
    const writes = statementsOf(id).filter(
      (s) =>
        s.Effect === 'Allow' && s.Action.some((a) => /^dynamodb:(Put|Update|Delete)Item$/.test(String(a))),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) {
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) },
      });
    }
  });

  it("confines the agents' socket function to the items it uses: its sockets, and a web-chat conversation's visitors", () => {
    const onTable = statementsOf('Live').filter(
      (s) =>
        s.Effect === 'Allow' &&
        s.Action.some((a) => String(a).startsWith('dynamodb:') && !/Stream|Shard|Records/.test(String(a))),
    );
    const leading = (prefixes: readonly string[]) => ({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) },
    });
    expect(onTable).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn],
        Condition: leading(agentSocketReads),
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: [tableArn],
        Condition: leading(agentSocketWrites),
      },
    ]);
  });

  it.each(['Live', 'WebchatLive'])('gives %s, a public socket, no provider credentials', (id) => {
    expect(allActions(id).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(functionProps(id).Environment.Variables.PROVIDER_SECRET_ARN).toBeUndefined();
  });

  /**
   * The functions that use provider credentials: the signed webhooks, the two that send replies, and
   * agent-media, which fetches timeline files from Twilio and WhatsApp for agents. Never the agent API,
   * which also serves the public survey page.
   */
  const providerSecretReaders = [
    'WhatsApp',
    'Meta',
    'TwilioSms',
    'TwilioVoice',
    'Resolver',
    'Sender',
    'AgentMedia',
  ];

  it.each(functionIds.filter((id) => !providerSecretReaders.includes(id)))(
    'gives %s no way to read the provider secret (Twilio, Meta, WhatsApp credentials)',
    (id) => {
      expect(actionsOn(id, secretArn)).toEqual([]);
      expect(functionProps(id).Environment.Variables.PROVIDER_SECRET_ARN).toBeUndefined();
    },
  );

  /** The functions that use a signing key: web chat (identity tokens), the survey page and the survey sender. */
  const signingSecretReaders = ['Webchat', 'AgentApi', 'Timers'];

  it.each(functionIds)('lets %s read the signing secret only if it checks or signs with its keys', (id) => {
    const reads = actionsOn(id, signingSecretArn);
    const variable = functionProps(id).Environment.Variables.SIGNING_SECRET_ARN;
    if (signingSecretReaders.includes(id)) {
      expect(reads).toContain('secretsmanager:GetSecretValue');
      expect(reads.filter((a) => !/^secretsmanager:(Get|Describe)/.test(a))).toEqual([]);
      expect(resolveRefs(variable)).toEqual(signingSecretArn);
    } else {
      expect(reads).toEqual([]);
      expect(variable).toBeUndefined();
    }
  });

  it('gives the public web-chat function the signing secret, not the provider secret', () => {
    expect(resolveRefs(functionProps('Webchat').Environment.Variables)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      TABLE_NAME: { Ref: tableId },
      INBOUND_QUEUE_URL: { Ref: inboundId },
      SIGNING_SECRET_ARN: signingSecretArn,
      WEBCHAT_LIVE_URL: expect.anything(),
      WEBCHAT_LIVE_ENDPOINT: expect.anything(),
    });
  });

  it("lets the public web-chat function close the visitors' sockets only: DELETE on their own API's stage", () => {
    const policies = Object.values(
      api.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^WebchatServiceRole') }] },
      }),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>,
    );
    const manage = statements.filter((s) => [s.Action].flat().includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(1);
    const resource = JSON.stringify(manage[0]?.Resource);
    expect(resource).toContain(`{"Ref":"${logicalId(apiStack, 'WebchatLiveApi')}"}`);
    expect(resource).toContain('/live/DELETE/@connections/*');
    expect(resource).not.toContain(`"${logicalId(apiStack, 'LiveApi')}"`);
    expect(resource).not.toContain('/*/@connections');
    expect(allActions('Webchat').filter((a) => a.startsWith('execute-api:'))).toEqual([
      'execute-api:ManageConnections',
    ]);
  });

  it.each(functionIds)('lets %s write its own log group only, with no managed policy', (id) => {
    const roleId = logicalId(apiStack, `${id}/ServiceRole`);
    const role = api.toJSON().Resources[roleId].Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const logsId = functionProps(id).LoggingConfig.LogGroup.Ref;
    expect(role.Policies).toEqual([
      {
        PolicyName: 'WriteOwnLogs',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [logsId, 'Arn'] },
            },
          ],
        },
      },
    ]);
    expect(allActions(id).filter((a) => a.startsWith('logs:'))).toEqual([]);
  });

  it('runs the SES function like every webhook, and gives ses-mail a minute to fetch and parse a message', () => {
    expect(functionProps('Ses').Timeout).toBe(functionProps('WhatsApp').Timeout);
    expect(functionProps('Ses').Timeout).toBe(10);
    expect(functionProps('SesMail').Timeout).toBe(60);
  });

  it('lets the SES function enqueue to the mail queue and dead-letter, and nothing else', () => {
    expect(actionsOn('Ses', mailArn)).toContain('sqs:SendMessage');
    expect(actionsOn('Ses', failedEventsArn)).toContain('sqs:SendMessage');
    for (const resource of statementsOf('Ses').flatMap((s) => s.Resource)) {
      expect([mailArn, failedEventsArn]).toContainEqual(resource);
    }
    // Fetching the mail and making envelopes moved to ses-mail.
    expect(actionsOn('Ses', inboundArn)).toEqual([]);
    expect(allActions('Ses').filter((a) => /^(s3|dynamodb|secretsmanager):/.test(a))).toEqual([]);
    // It consumes no queue: SNS invokes it.
    expect(allActions('Ses')).not.toContain('sqs:ReceiveMessage');
  });

  it('lets ses-mail read mail under inbound/ only, consume the mail queue, and send only to the inbound queue and its dead letters', () => {
    const mailDeadLetterArn = { 'Fn::GetAtt': [deadLetterQueueId('Mail'), 'Arn'] };
    expect(actionsOn('SesMail', inboundMailArn)).toContain('s3:GetObject*');
    expect(actionsOn('SesMail', mailArn)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
    expect(actionsOn('SesMail', mailArn)).not.toContain('sqs:SendMessage');
    expect(actionsOn('SesMail', inboundArn)).toContain('sqs:SendMessage');
    const resources = statementsOf('SesMail').flatMap((s) => s.Resource);
    // Objects outside inbound/ stay unreadable: the only object ARN is the prefix's.
    expect(resources).not.toContainEqual({ 'Fn::Join': ['', [bucketArn, '/*']] });
    for (const resource of resources) {
      expect([bucketArn, inboundMailArn, inboundArn, mailArn, mailDeadLetterArn]).toContainEqual(resource);
    }
    const senders = statementsOf('SesMail').filter((s) => s.Action.includes('sqs:SendMessage'));
    expect(senders.flatMap((s) => s.Resource)).toEqual([inboundArn, mailDeadLetterArn]);
    expect(
      allActions('SesMail').filter((a) => /^(dynamodb|secretsmanager|s3:Put|s3:Delete)/.test(a)),
    ).toEqual([]);
  });

  it.each([
    ['receipts', () => receiptsTopicId],
    ['sending events', () => eventsTopicId],
  ])('subscribes the SES function to the %s topic and lets SNS invoke it', (_name, topicId) => {
    const sesArn = { 'Fn::GetAtt': [logicalId(apiStack, 'Ses'), 'Arn'] };
    const topicArn = { Ref: topicId() };
    const subscriptions = Object.values(api.findResources('AWS::SNS::Subscription')).map((r) =>
      resolveRefs(r.Properties),
    );
    expect(subscriptions).toContainEqual({ Protocol: 'lambda', Endpoint: sesArn, TopicArn: topicArn });
    const permissions = Object.values(
      api.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'sns.amazonaws.com' } }),
    ).map((r) => resolveRefs(r.Properties));
    expect(permissions).toContainEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: sesArn,
      Principal: 'sns.amazonaws.com',
      SourceArn: topicArn,
    });
  });

  it('subscribes nothing else to a topic', () => {
    api.resourceCountIs('AWS::SNS::Subscription', 2);
  });

  it('retries a failed SNS invocation twice, then sends it to the failed-events queue', () => {
    api.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    const [config] = Object.values(api.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(resolveRefs(config?.Properties)).toEqual({
      FunctionName: { Ref: logicalId(apiStack, 'Ses') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: failedEventsArn } },
    });
  });

  it('outputs the API URL and every webhook URL a provider console needs', () => {
    const apiId = logicalId(apiStack, 'HttpApi');
    const base = [
      'https://',
      { Ref: apiId },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
    ];
    api.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', [...base, '/']] } });
    api.hasOutput('WhatsAppWebhookUrl', { Value: { 'Fn::Join': ['', [...base, '/webhooks/whatsapp']] } });
    api.hasOutput('MetaWebhookUrl', { Value: { 'Fn::Join': ['', [...base, '/webhooks/meta']] } });
    api.hasOutput('TwilioSmsWebhookUrl', { Value: { 'Fn::Join': ['', [...base, '/webhooks/twilio/sms']] } });
    api.hasOutput('TwilioVoiceWebhookUrl', {
      Value: { 'Fn::Join': ['', [...base, '/webhooks/twilio/voice']] },
    });
    api.hasOutput('SesWebhookUrl', { Value: { 'Fn::Join': ['', [...base, '/webhooks/ses']] } });
    api.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', [...base, '/console']] } });
  });
});

describe('the app', () => {
  it.each([
    ['ThreadlineStateful', statefulStack],
    ['ThreadlineStateful with email', emailStack],
    ['ThreadlineApi', apiStack],
  ])('synthesises %s without errors or warnings', (_name, stack) => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    // Besides the missing alarmEmail's and webchatAllowedOrigins', which operations.test.ts checks.
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    const unset = (data: unknown) => /"No (alarmEmail|webchatAllowedOrigins):/.test(JSON.stringify(data));
    expect(warnings.filter((w) => !unset(w.entry.data))).toEqual([]);
  });
});
