import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { mailConsumer, StatefulStack } from '../../stacks/stateful-stack.js';
import { API_FUNCTION_IDS } from '../support/api-functions.js';
import { appWith, executeApiUrlOf, logicalId } from '../support/cdk-app.js';

// Issue 13, items 11 to 13: operators see failure, one channel's flood cannot starve the others, and
// Twilio status callbacks come back on AWS.

function stacks(context: Record<string, unknown>) {
  const app = appWith(context);
  const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
  const apiStack = new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack));
  return {
    statefulStack,
    apiStack,
    stateful: Template.fromStack(statefulStack),
    api: Template.fromStack(apiStack),
  };
}

const plain = stacks({});
const configured = stacks({
  alarmEmail: 'Ops@Example.com',
  publicBaseUrl: 'https://support.example.com/',
  webchatAllowedOrigins: 'https://shop.example',
});
const { statefulStack, apiStack, stateful, api } = plain;
const topicId = logicalId(statefulStack, 'AlarmTopic');

const OutputsSchema = z.record(
  z.string(),
  z.object({ Value: z.unknown(), Export: z.object({ Name: z.unknown() }).optional() }),
);

/** An API-stack value with its imports from the stateful stack replaced by the values exported. */
function resolveImports(value: unknown, from = stateful): unknown {
  const outputs = Object.values(OutputsSchema.parse(from.toJSON().Outputs));
  if (Array.isArray(value)) return value.map((v) => resolveImports(v, from));
  if (typeof value !== 'object' || value === null) return value;
  const weak = z.object({ 'Fn::GetStackOutput': z.object({ OutputName: z.string() }) }).safeParse(value);
  if (weak.success) {
    return OutputsSchema.parse(from.toJSON().Outputs)[weak.data['Fn::GetStackOutput'].OutputName]?.Value;
  }
  const imported = z.object({ 'Fn::ImportValue': z.unknown() }).safeParse(value);
  if (imported.success) {
    const name = imported.data['Fn::ImportValue'];
    return outputs.find((o) => isDeepStrictEqual(o.Export?.Name, name))?.Value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveImports(v, from)]));
}

const AlarmSchema = z.object({
  Namespace: z.string(),
  MetricName: z.string(),
  // A log metric filter's metric (signature refusals) has none.
  Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).default([]),
  Statistic: z.string(),
  Period: z.number(),
  EvaluationPeriods: z.number(),
  Threshold: z.number(),
  ComparisonOperator: z.string(),
  TreatMissingData: z.string(),
  AlarmActions: z.array(z.unknown()),
  OKActions: z.array(z.unknown()),
});

function alarms(template: Template, resolve: (v: unknown) => unknown = (v) => v) {
  // The arrival alarms are metric math (test/stacks/dead-letter-arrivals.test.ts).
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter((r) => r.Properties.MetricName !== undefined)
    .map((r) => AlarmSchema.parse(resolve(r.Properties)));
}

/** The one alarm on `metric` whose dimension `name` is `value`. */
function alarmOn(list: z.infer<typeof AlarmSchema>[], metric: string, name: string, value: unknown) {
  const found = list.filter(
    (a) =>
      a.MetricName === metric &&
      a.Dimensions.some((d) => d.Name === name && isDeepStrictEqual(d.Value, value)),
  );
  expect(found, `${metric} alarms on ${JSON.stringify(value)}`).toHaveLength(1);
  return found[0] as z.infer<typeof AlarmSchema>;
}

const topicRef = { Ref: topicId };

describe('the alarm topic', () => {
  it('is one topic, TLS only, that CloudWatch alarms of this account may publish to', () => {
    stateful.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Threadline alarms' });
    const [policy] = Object.values(
      stateful.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [topicRef] } }),
    );
    const statements = policy?.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicRef,
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it('outputs its ARN', () => {
    stateful.hasOutput('AlarmTopicArn', { Value: topicRef });
  });

  it('subscribes no address by default, and the `alarmEmail` address when given', () => {
    stateful.resourceCountIs('AWS::SNS::Subscription', 0);
    const id = logicalId(configured.statefulStack, 'AlarmTopic');
    configured.stateful.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: id },
    });
  });

  it('warns at synth when no address will get the alarms', () => {
    const warnings = (stack: StatefulStack) =>
      Annotations.fromStack(stack)
        .findWarning('*', Match.anyValue())
        .map((w) => JSON.stringify(w.entry.data));
    expect(warnings(statefulStack)).toEqual([expect.stringMatching(/alarmEmail.*reach nobody/)]);
    expect(warnings(configured.statefulStack)).toEqual([]);
  });

  it('warns at synth when no site may embed the web-chat widget (webchatAllowedOrigins unset)', () => {
    // Before, synth said nothing, and the widget failed on the business's own site with no word why.
    const warnings = (stack: ApiStack) =>
      Annotations.fromStack(stack)
        .findWarning('*', Match.anyValue())
        .map((w) => JSON.stringify(w.entry.data));
    expect(warnings(apiStack)).toEqual([expect.stringMatching(/No webchatAllowedOrigins: .*widget/)]);
    expect(warnings(configured.apiStack)).toEqual([]);
  });

  it.each(['not an address', 'ops@'])('refuses alarmEmail=%j, naming the key', (alarmEmail) => {
    expect(() => new StatefulStack(appWith({ alarmEmail }), 'ThreadlineStateful')).toThrow(/^alarmEmail:/);
  });
});

describe('the queue alarms', () => {
  const list = alarms(stateful);
  const queueName = (path: string) => ({ 'Fn::GetAtt': [logicalId(statefulStack, path), 'QueueName'] });

  it.each([
    'InboundDeadLetterQueue',
    'MailDeadLetterQueue',
    'OutboundDeadLetterQueue',
    'TimersDeadLetterQueue',
    'FailedEventsQueue',
    'WebhookDeadLetterQueue',
    'ChangeFeedFailuresQueue',
  ])('raises an alarm as soon as %s holds a visible message, and clears it', (path) => {
    const alarm = alarmOn(list, 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName(path));
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  it('raises an alarm when the oldest inbound envelope has waited more than 5 minutes', () => {
    const alarm = alarmOn(list, 'ApproximateAgeOfOldestMessage', 'QueueName', queueName('InboundQueue'));
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef],
    });
  });

  // A consumer that is stopped (its event source disabled, ThreadlineApi deleted with its function
  // alarms) or held back (ses-mail's cap of 5 in a flood of mail) fails nothing: without these, the
  // mail, replies, timers and deliveries waiting behind it expired after the queue's 4 days unseen.
  const QueueSchema = z.object({
    VisibilityTimeout: z.number(),
    MessageRetentionPeriod: z.number(),
    RedrivePolicy: z.object({ maxReceiveCount: z.number() }),
  });
  it.each([
    ['MailQueue', 0],
    // Replies are sent delayed too: a retry after the provider's Retry-After, up to 15 minutes.
    ['OutboundQueue', 900],
    ['TimersQueue', 900],
    ['WebhookQueue', 900],
  ])(
    'raises an alarm when the oldest message of %s is older than a failing one is when it is dead-lettered',
    (path, delaySeconds) => {
      const queue = QueueSchema.parse(stateful.toJSON().Resources[logicalId(statefulStack, path)].Properties);
      const alarm = alarmOn(list, 'ApproximateAgeOfOldestMessage', 'QueueName', queueName(path));
      // Its receives, each a visibility timeout apart, after the longest delay it is sent with.
      const toDeadLetter = delaySeconds + queue.RedrivePolicy.maxReceiveCount * queue.VisibilityTimeout;
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: toDeadLetter,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        OKActions: [topicRef],
      });
      expect(alarm.Threshold).toBeLessThan(queue.MessageRetentionPeriod / 24);
    },
  );

  it('has no other alarm in the stateful stack', () => {
    expect(list).toHaveLength(12);
  });
});

describe('the function alarms', () => {
  const list = alarms(api, (v) => resolveImports(v));
  const functionIds = API_FUNCTION_IDS;

  it.each(functionIds.flatMap((id) => [[id, 'Errors'] as const, [id, 'Throttles'] as const]))(
    'raises an alarm on any of %s’s %s, to the alarm topic',
    (id, metric) => {
      const alarm = alarmOn(list, metric, 'FunctionName', { Ref: logicalId(apiStack, id) });
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        OKActions: [topicRef],
      });
    },
  );

  it.each([
    ['Events', 15 * 60_000],
    ['LiveStream', 5 * 60_000],
  ])('raises an alarm when %s reads the stream further behind than its threshold', (id, threshold) => {
    const alarm = alarmOn(list, 'IteratorAge', 'FunctionName', { Ref: logicalId(apiStack, id) });
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  // The five webhooks' dropped items and the sender's and resolver's refused credentials: 7 more on
  // 2026-12-07 (server-errors.test.ts; README's fixed cost counts them, 77 alarms in all).
  it('has one alarm per function and metric, one per signed webhook on its refusals, two on integrator webhooks, one per stream consumer on its lag, the API’s and its eight functions’ 5xx, one per webhook on its dropped items, the sender’s and the resolver’s on refused credentials (server-errors.test.ts), and no other', () => {
    expect(list).toHaveLength(functionIds.length * 2 + 4 + 2 + 2 + 1 + 8 + 5 + 2);
  });
});

describe('one channel cannot starve the others', () => {
  const sesMail = logicalId(apiStack, 'SesMail');

  it('reserves concurrency for ses-mail and caps its queue consumer at it', () => {
    const fn = api.toJSON().Resources[sesMail].Properties;
    expect(fn.ReservedConcurrentExecutions).toBe(mailConsumer.maxConcurrency);
    api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: sesMail },
      ScalingConfig: { MaximumConcurrency: mailConsumer.maxConcurrency },
    });
    expect(mailConsumer.maxConcurrency).toBeGreaterThanOrEqual(2);
  });

  it('still caps ses-mail but reserves nothing with `-c reserveConcurrency=false` (accounts at 10)', () => {
    const app = appWith({ reserveConcurrency: 'false' });
    const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
    const stack = new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack));
    const template = Template.fromStack(stack);
    const id = logicalId(stack, 'SesMail');
    expect(template.toJSON().Resources[id].Properties.ReservedConcurrentExecutions).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id },
      ScalingConfig: { MaximumConcurrency: mailConsumer.maxConcurrency },
    });
  });

  it('refuses reserveConcurrency=maybe, naming the key', () => {
    const app = appWith({ reserveConcurrency: 'maybe' });
    const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
    expect(() => new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack))).toThrow(
      /^reserveConcurrency:/,
    );
  });

  const throttles = {
    'GET /webhooks/whatsapp': [5, 10],
    'POST /webhooks/whatsapp': [100, 200],
    'GET /webhooks/meta': [5, 10],
    'POST /webhooks/meta': [50, 100],
    'POST /webhooks/twilio/sms': [25, 50],
    'POST /webhooks/twilio/status': [50, 100],
    'POST /webhooks/twilio/voice': [10, 20],
    'POST /webhooks/twilio/voice/recording': [10, 20],
    'POST /webhooks/twilio/voice/transcription': [10, 20],
    'POST /webhooks/twilio/voice/status': [20, 40],
    'POST /webhooks/twilio/voice/after-record': [10, 20],
    'POST /webhooks/ses': [10, 20],
    'ANY /api/{proxy+}': [50, 100],
    'POST /api/uploads': [5, 10],
    'GET /files/{proxy+}': [20, 40],
    'HEAD /files/{proxy+}': [5, 10],
    'GET /api/customers/{id}/timeline/{itemId}/attachments/{index}': [10, 20],
    'GET /api/customers/{id}/timeline/{itemId}/recording': [5, 10],
    'HEAD /api/customers/{id}/timeline/{itemId}/attachments/{index}': [5, 10],
    'HEAD /api/customers/{id}/timeline/{itemId}/recording': [2, 5],
    'GET /csat/{token}': [10, 20],
    'POST /csat/{token}': [10, 20],
    'ANY /webchat/{proxy+}': [50, 100],
    'GET /console': [10, 20],
    'GET /console/{proxy+}': [20, 40],
  };

  it('throttles every route on its own, fitted to its provider', () => {
    const [stage] = Object.values(
      api.findResources('AWS::ApiGatewayV2::Stage', { Properties: { StageName: '$default' } }),
    );
    const settings = Object.fromEntries(
      Object.entries(z.record(z.string(), z.unknown()).parse(stage?.Properties.RouteSettings)).map(
        ([key, value]) => {
          const parsed = z
            .object({ ThrottlingRateLimit: z.number(), ThrottlingBurstLimit: z.number() })
            .parse(value);
          return [key, [parsed.ThrottlingRateLimit, parsed.ThrottlingBurstLimit]];
        },
      ),
    );
    expect(settings).toEqual(throttles);
  });

  it('deploys the stage after the routes its settings name', () => {
    const [stage] = Object.values(
      api.findResources('AWS::ApiGatewayV2::Stage', { Properties: { StageName: '$default' } }),
    );
    // The HTTP API's routes (the live WebSocket API has its own stage and routes).
    const httpApi = { Ref: logicalId(apiStack, 'HttpApi') };
    const routeIds = Object.keys(
      api.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: httpApi } }),
    );
    expect(routeIds).toHaveLength(Object.keys(throttles).length);
    expect(stage?.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it.each([
    ['the visitors’ (public until $connect checks the session)', 'WebchatLiveApi'],
    ['the agents’', 'LiveApi'],
  ])('throttles %s WebSocket API on its stage, each route at 50/s, burst 100', (_name, apiId) => {
    const stages = api.findResources('AWS::ApiGatewayV2::Stage', {
      Properties: { ApiId: { Ref: logicalId(apiStack, apiId) } },
    });
    expect(Object.values(stages).map((stage) => stage.Properties.DefaultRouteSettings)).toEqual([
      { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    ]);
    // No route of its own overrides the stage's default: $connect, $disconnect and $default get it each.
    expect(Object.values(stages)[0]?.Properties.RouteSettings).toBeUndefined();
  });
});

describe('PUBLIC_BASE_URL', () => {
  const variables = (stack: ReturnType<typeof stacks>, id: string) =>
    stack.api.toJSON().Resources[logicalId(stack.apiStack, id)].Properties.Environment.Variables;
  const executeApiUrl = executeApiUrlOf(apiStack);

  it.each(['Sender', 'Resolver'])(
    'is the API’s own URL for %s (the AI’s replies), so Twilio replies ask for status callbacks',
    (id) => {
      expect(variables(plain, id).PUBLIC_BASE_URL).toEqual(executeApiUrl);
    },
  );

  it('is the API’s own URL, or the `publicBaseUrl` context, for the timers (email survey links)', () => {
    expect(variables(plain, 'Timers').PUBLIC_BASE_URL).toEqual(executeApiUrl);
    expect(variables(configured, 'Timers').PUBLIC_BASE_URL).toBe('https://support.example.com');
  });

  it.each(['TwilioSms', 'TwilioVoice'])(
    'is left to the request URL for %s when no custom domain is given',
    (id) => {
      expect(variables(plain, id).PUBLIC_BASE_URL).toBeUndefined();
    },
  );

  it.each(['Sender', 'Resolver', 'TwilioSms', 'TwilioVoice'])(
    'is the `publicBaseUrl` context for %s',
    (id) => {
      expect(variables(configured, id).PUBLIC_BASE_URL).toBe('https://support.example.com');
    },
  );

  it.each(['WhatsApp', 'Meta', 'Ses', 'SesMail', 'AgentApi', 'AgentMedia'])('is not set on %s', (id) => {
    expect(variables(plain, id).PUBLIC_BASE_URL).toBeUndefined();
    expect(variables(configured, id).PUBLIC_BASE_URL).toBeUndefined();
  });

  it('refuses a publicBaseUrl with a path, naming the key: the routes are at the root of the origin', () => {
    const app = appWith({ publicBaseUrl: 'https://help.shop.example/threadline' });
    const stateful = new StatefulStack(app, 'ThreadlineStateful');
    expect(() => new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful))).toThrow(
      /^publicBaseUrl: .*no path/,
    );
  });

  it.each(['support.example.com', 'http://support.example.com', 'https://'])(
    'refuses publicBaseUrl=%j, naming the key',
    (publicBaseUrl) => {
      const app = appWith({ publicBaseUrl });
      const stateful = new StatefulStack(app, 'ThreadlineStateful');
      expect(() => new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful))).toThrow(/^publicBaseUrl:/);
    },
  );
});

describe('the durable timers', () => {
  const app = appWith({});
  const stateful = new StatefulStack(app, 'ThreadlineStateful');
  const timersStack = new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful));
  const api = Template.fromStack(timersStack);
  const policies = Object.values(api.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p));

  it("lets Scheduler send to the timers queues only, as this account's service", () => {
    api.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    api.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  // Deleting a schedule group deletes its schedules: every pending timer (SLA breaches, snooze
  // wake-ups, auto-resolves, surveys, automations) went with a `cdk destroy ThreadlineApi`, unseen.
  it('keeps the schedule group, and the role its schedules send with, when ThreadlineApi is deleted', () => {
    const kept = { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' };
    api.hasResource('AWS::Scheduler::ScheduleGroup', kept);
    const role = api.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });
    expect(Object.values(role)).toEqual([expect.objectContaining(kept)]);
    const roleId = Object.keys(role)[0];
    const grants = api.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    expect(Object.values(grants)).toEqual([expect.objectContaining(kept)]);
  });

  it("is what the README's `cdk import` after a destroy adopts: the mapping names the group's logical id and name", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const mapping = /npx cdk import ThreadlineApi --resource-mapping-inline '([^']+)'/.exec(readme)?.[1];
    expect(mapping, 'the README gives the import command').toBeDefined();
    const groups = api.findResources('AWS::Scheduler::ScheduleGroup');
    const adopted = Object.entries(JSON.parse(mapping ?? '{}')).map(([id, identifier]) => [
      groups[id]?.Properties,
      identifier,
    ]);
    // An import takes the resource as the template has it: a property referring to another resource
    // (not in the new stack yet) would fail it.
    expect(adopted).toEqual([[{ Name: 'ThreadlineApi-timers' }, { Name: 'ThreadlineApi-timers' }]]);
  });

  it('lets the resolver, the agent API, the sender and the timers function create and delete schedules of the group only', () => {
    const scheduling = policies.filter((p) => p.includes('scheduler:CreateSchedule'));
    // The sender's: an answer it gives up on starts the SLA target it met again, with its timers.
    expect(scheduling).toHaveLength(4);
    for (const policy of scheduling) {
      expect(policy).toContain(':schedule/ThreadlineApi-timers/*');
      expect(policy).toContain('iam:PassRole');
      expect(policy).not.toContain('"scheduler:*"');
    }
  });

  it("invokes the timers function every 10 minutes with the agents' load reconcile and every minute with the away sweep, and lets only those rules invoke it", () => {
    const timersId = logicalId(timersStack, 'Timers');
    const rules = api.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(2);
    for (const [rate, task] of [
      ['rate(10 minutes)', 'reconcile-agent-load'],
      ['rate(1 minute)', 'return-absent-agents'],
    ] as const) {
      api.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: rate,
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [timersId, 'Arn'] },
            Input: JSON.stringify({ task }),
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          }),
        ],
      });
    }
    const invokers = Object.values(
      api.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'events.amazonaws.com' } }),
    );
    expect(invokers).toEqual(
      Object.keys(rules).map((ruleId) =>
        expect.objectContaining({
          Properties: expect.objectContaining({
            FunctionName: { 'Fn::GetAtt': [timersId, 'Arn'] },
            SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
          }),
        }),
      ),
    );
  });
});

describe('the dead-letter alarms say what to do with their own queue', () => {
  const description = (id: string) =>
    String(stateful.toJSON().Resources[logicalId(statefulStack, id)].Properties.AlarmDescription);

  it.each([
    ['InboundDeadLetterAlarm', 'inbound'],
    ['MailDeadLetterAlarm', 'mail'],
    ['OutboundDeadLetterAlarm', 'outbound'],
    ['TimersDeadLetterAlarm', 'timers'],
    ['WebhookDeadLetterAlarm', 'webhooks'],
  ])('%s names npm run redrive -- %s', (id, queue) => {
    expect(description(id)).toContain(`npm run redrive -- ${queue}`);
  });

  it.each(['FailedEventsAlarm', 'ChangeFeedFailuresAlarm'])(
    '%s holds failure records, which no redrive can replay',
    (id) => {
      expect(description(id)).not.toContain('redrive');
      expect(description(id)).toMatch(/failure records/);
    },
  );
});

describe('a wrong or rotated provider secret raises an alarm', () => {
  it.each(['WhatsApp', 'Meta', 'TwilioSms', 'TwilioVoice'])(
    'counts the signature refusals of %s and alarms on a run of them',
    (id) => {
      // Picked by its metric: the same log group has its ServerErrors and WebhookRejections filters too.
      const filters = Object.values(api.findResources('AWS::Logs::MetricFilter')).filter(
        (f) =>
          isDeepStrictEqual(f.Properties.LogGroupName, { Ref: logicalId(apiStack, `${id}Logs`) }) &&
          f.Properties.MetricTransformations[0].MetricName === `${id}SignatureRefusals`,
      );
      expect(filters).toHaveLength(1);
      expect(filters[0]?.Properties.FilterPattern).toMatch(/request failed.*401.*403/);
      const metric = filters[0]?.Properties.MetricTransformations[0];
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric.MetricName,
        Namespace: metric.MetricNamespace,
        AlarmActions: [Match.anyValue()],
        AlarmDescription: Match.stringLikeRegexp('provider secret'),
      });
    },
  );
});

describe('an integration that stopped raises an alarm', () => {
  it.each([
    ['WebhookDeliveriesFailed', 'webhook delivery failed for good'],
    ['WebhookSubscriptionsDisabled', 'webhook subscription disabled'],
  ])('counts %s from the webhooks function’s log and alarms on any', (metricName, message) => {
    const filters = Object.values(api.findResources('AWS::Logs::MetricFilter')).filter((f) =>
      isDeepStrictEqual(f.Properties.LogGroupName, { Ref: logicalId(apiStack, 'WebhooksLogs') }),
    );
    const filter = filters.find((f) => f.Properties.MetricTransformations[0].MetricName === metricName);
    expect(filter?.Properties.FilterPattern).toContain(`$.message = "${message}"`);
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Namespace: 'Threadline',
      Threshold: 0,
      AlarmActions: [Match.anyValue()],
      AlarmDescription: Match.stringLikeRegexp('README'),
    });
  });
});
