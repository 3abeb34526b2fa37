import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { tableDefinition } from '#shared/store/table.js';
import { ApiStack } from '../../stacks/api-stack.js';
import { inboundConsumer, providerSecretKeys, StatefulStack } from '../../stacks/stateful-stack.js';

const CdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) });
const cdkJson = CdkJsonSchema.parse(
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')),
);

// The feature flags of cdk.json, so the templates are the ones `cdk synth` writes; no stack is bundled.
const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
const apiStack = new ApiStack(app, 'ThreadlineApi', {
  table: statefulStack.table,
  inboundQueue: statefulStack.inboundQueue,
  providerSecret: statefulStack.providerSecret,
});
const stateful = Template.fromStack(statefulStack);
const api = Template.fromStack(apiStack);

/** The logical id of the CloudFormation resource at `path` (a construct path below the stack). */
function logicalId(stack: Stack, path: string): string {
  const found = stack.node.findAll().find((c) => c.node.path === `${stack.node.id}/${path}`);
  const element = found instanceof CfnElement ? found : found?.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`no CloudFormation resource at ${path}`);
  return stack.getLogicalId(element);
}

const tableId = logicalId(statefulStack, 'Table');
const inboundId = logicalId(statefulStack, 'InboundQueue');
const deadLetterId = logicalId(statefulStack, 'InboundDeadLetterQueue');
const secretId = logicalId(statefulStack, 'ProviderSecret');
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const tableIndexesArn = { 'Fn::Join': ['', [tableArn, '/index/*']] };
const inboundArn = { 'Fn::GetAtt': [inboundId, 'Arn'] };
const secretArn = { Ref: secretId };

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

function allActions(functionId: string): string[] {
  return statementsOf(functionId).flatMap((s) => s.Action.map(String));
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
    expect(table.Properties.AttributeDefinitions).toHaveLength(4);
    expect(local.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('gsi1');
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

  it.each([
    ['inbound', () => inboundId],
    ['dead-letter', () => deadLetterId],
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
    expect(secret.DeletionPolicy).toBe('Retain');
    const generate = secret.Properties.GenerateSecretString;
    expect(generate.GenerateStringKey).toBe('META_VERIFY_TOKEN');
    const template = z.record(z.string(), z.string()).parse(JSON.parse(generate.SecretStringTemplate));
    expect(Object.keys(template).sort()).toEqual(
      providerSecretKeys.filter((k) => k !== 'META_VERIFY_TOKEN').sort(),
    );
    expect(Object.values(template).every((v) => v === '')).toBe(true);
  });

  it('outputs the provider secret name and the dead-letter queue name', () => {
    stateful.hasOutput('ProviderSecretName', {});
    stateful.hasOutput('InboundDeadLetterQueueName', {
      Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] },
    });
  });
});

describe('ThreadlineApi', () => {
  const functionIds = ['WhatsApp', 'Meta', 'TwilioSms', 'TwilioVoice', 'Resolver', 'AgentApi'];

  it('holds exactly the expected functions', () => {
    api.resourceCountIs('AWS::Lambda::Function', functionIds.length);
  });

  it.each(functionIds)('runs %s on Node 22, arm64, source maps on, logs kept 30 days', (id) => {
    const props = functionProps(id);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.MemorySize).toBe(512);
    expect(props.TracingConfig).toBeUndefined();
    expect(props.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    const logGroup = api.toJSON().Resources[props.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it.each([
    ['WhatsApp', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['Meta', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['TwilioSms', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['TwilioVoice', { INBOUND_QUEUE_URL: { Ref: inboundId }, PROVIDER_SECRET_ARN: secretArn }],
    ['Resolver', { TABLE_NAME: { Ref: tableId } }],
    ['AgentApi', { TABLE_NAME: { Ref: tableId }, PROVIDER_SECRET_ARN: secretArn }],
  ])('gives %s exactly the settings it is bound to', (id, bound) => {
    const variables = resolveRefs(functionProps(id).Environment.Variables);
    expect(variables).toEqual({ NODE_OPTIONS: '--enable-source-maps', ...bound });
  });

  it('keeps provider secret values out of the template', () => {
    const template = JSON.stringify(api.toJSON());
    for (const key of providerSecretKeys) expect(template).not.toContain(key);
    for (const id of functionIds) {
      const names = Object.keys(functionProps(id).Environment.Variables);
      expect(names.filter((n) => (providerSecretKeys as readonly string[]).includes(n))).toEqual([]);
    }
  });

  it('feeds the resolver from the inbound queue in batches of 10, reporting item failures', () => {
    api.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const [mapping] = Object.values(api.findResources('AWS::Lambda::EventSourceMapping'));
    expect(resolveRefs(mapping?.Properties)).toEqual({
      EventSourceArn: inboundArn,
      FunctionName: { Ref: logicalId(apiStack, 'Resolver') },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
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
    ['ANY /api/{proxy+}', 'AgentApi'],
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

  it('exposes no other route', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Route', routeTable.length);
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

  it('lets the resolver write the table and its index, consume the queue, and not read secrets', () => {
    for (const resource of [tableArn, tableIndexesArn]) {
      expect(actionsOn('Resolver', resource)).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
        ]),
      );
    }
    expect(actionsOn('Resolver', inboundArn)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
    expect(allActions('Resolver').filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('lets the agent API read and write the table and read the provider secret', () => {
    expect(actionsOn('AgentApi', tableArn)).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
      ]),
    );
    expect(actionsOn('AgentApi', tableIndexesArn)).toContain('dynamodb:Query');
    expect(actionsOn('AgentApi', secretArn)).toContain('secretsmanager:GetSecretValue');
    expect(allActions('AgentApi').filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('outputs the API URL and the WhatsApp webhook URL', () => {
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
  });
});

describe('the app', () => {
  it.each([
    ['ThreadlineStateful', statefulStack],
    ['ThreadlineApi', apiStack],
  ])('synthesises %s without errors or warnings', (_name, stack) => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});
