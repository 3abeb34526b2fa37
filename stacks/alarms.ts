import { Annotations, Aws, CfnOutput, Duration, type Stack } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { stackSetting } from './email-receiving.js';

// Operators must see failure: a dead-lettered envelope is a customer nobody answers, and after 14 days
// it is gone. Every alarm goes to one topic, and says so again when it clears.

/** How long the oldest inbound envelope may wait before the inbound queue's alarm goes off. */
export const inboundAgeAlarmThreshold = Duration.minutes(5);

const AlarmEmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('an email address such as ops@example.com'));

/**
 * The alarm topic, TLS only like the SES topics, with CloudWatch alarms of this account allowed to
 * publish (the topic policy that enforces TLS replaces SNS's default one). `alarmEmail` (in `cdk.json`'s context) subscribes an
 * address, which must confirm the subscription from the email SNS sends. Not KMS-encrypted: CloudWatch
 * cannot publish to a topic under the AWS-managed SNS key, and alarms carry no message content.
 */
export function createAlarmTopic(stack: Stack, props: { alarmEmail?: string | undefined }): Topic {
  const topic = new Topic(stack, 'AlarmTopic', { displayName: 'Threadline alarms', enforceSSL: true });
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
  const email = stackSetting(stack, 'alarmEmail', props.alarmEmail, AlarmEmailSchema);
  if (email) topic.addSubscription(new EmailSubscription(email));
  else {
    Annotations.of(stack).addWarningV2(
      'threadline:noAlarmEmail',
      'No alarmEmail: the alarms reach nobody. Set "alarmEmail": "ops@example.com" in cdk.json\'s context, or subscribe to the AlarmTopicArn output.',
    );
  }
  new CfnOutput(stack, 'AlarmTopicArn', {
    description: 'Alarms of Threadline: dead letters, failed events, stuck queues, function errors',
    value: topic.topicArn,
  });
  return topic;
}

/** An alarm on `metric` above `threshold` in one period, to the topic when raised and when cleared. */
export function alarm(
  scope: Construct,
  id: string,
  options: { metric: IMetric; threshold: number; topic: ITopic; description: string },
): Alarm {
  const created = new Alarm(scope, id, {
    metric: options.metric,
    threshold: options.threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    // An idle queue or function publishes no data: that is not a failure.
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
  const action = new SnsAction(options.topic);
  created.addAlarmAction(action);
  created.addOkAction(action);
  return created;
}

/** What to do with a dead letter of a queue `npm run redrive` moves back (README, Operations). */
function redriveAdvice(queue: string): string {
  return `Messages gave up on: inspect them, fix the cause, then \`npm run redrive -- ${queue}\` (README, Operations)`;
}

/**
 * What the alarm on each queue of given-up messages tells the operator: a dead-letter queue is
 * redriven; the failed-events and change-feed failure queues hold Lambda's failure records (which event
 * or stream records failed), not the events, so nothing can be moved back from them.
 */
export const gaveUpAdvice = {
  InboundDeadLetterAlarm: redriveAdvice('inbound'),
  MailDeadLetterAlarm: redriveAdvice('mail'),
  OutboundDeadLetterAlarm: redriveAdvice('outbound'),
  TimersDeadLetterAlarm: redriveAdvice('timers'),
  WebhookDeadLetterAlarm: redriveAdvice('webhooks'),
  FailedEventsAlarm:
    'SES notifications a function failed on: Lambda failure records (not the events, nothing to move back). ' +
    'Read them, fix the cause, resend the mail by hand (README, Operations)',
  ChangeFeedFailuresAlarm:
    'Table changes a stream consumer gave up on: failure records (shard and sequence numbers, not the changes). ' +
    'The data is in the table; integrator events and live updates of those changes were not sent (README, Operations)',
} as const;

/**
 * Raised as soon as `queue` (a dead-letter queue, a failure-record queue) holds a visible message; and
 * a second alarm (`…ArrivalAlarm`), raised for the minute its count of visible messages goes up, then
 * cleared: the first stays raised while one message waits (up to 14 days), which would hide every
 * later failure. The count, not NumberOfMessagesSent: SQS publishes none for what a redrive policy
 * moves to a dead-letter queue. A letter received and not deleted (an operator's look) that comes back
 * counts as one arriving.
 */
export function alarmOnAnyMessage(
  scope: Construct,
  id: keyof typeof gaveUpAdvice,
  queue: IQueue,
  topic: ITopic,
): Alarm {
  const visible = queue.metricApproximateNumberOfMessagesVisible({
    period: Duration.minutes(1),
    statistic: 'Maximum',
  });
  alarm(scope, id.replace(/Alarm$/, 'ArrivalAlarm'), {
    metric: new MathExpression({
      expression: 'DIFF(visible)',
      usingMetrics: { visible },
      period: Duration.minutes(1),
      label: 'messages arrived in the minute',
    }),
    threshold: 0,
    topic,
    description: `Another message arrived (the queue's first alarm stays raised while one waits). ${gaveUpAdvice[id]}`,
  });
  return alarm(scope, id, { metric: visible, threshold: 0, topic, description: gaveUpAdvice[id] });
}

/** The longest delay a message is sent with (SQS's most): timers due within 15 minutes, delivery retries. */
export const longestSqsDelay = Duration.minutes(15);

/** A queue a Lambda function consumes, as its age alarm needs it. */
export interface ConsumedQueue {
  readonly queue: IQueue;
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  /** Some of its messages are sent with a delay (up to `longestSqsDelay`). */
  readonly delayed: boolean;
}

/**
 * The oldest a message of a consumed queue gets while its consumer keeps receiving it, even failing:
 * the delay it was sent with, then `maxReceiveCount` receives a visibility timeout apart, after which
 * it is dead-lettered (and that alarm goes off). A message older than this was not being received.
 */
export function deadLetterAge(consumed: ConsumedQueue): Duration {
  const delay = consumed.delayed ? longestSqsDelay.toSeconds() : 0;
  return Duration.seconds(delay + consumed.maxReceiveCount * consumed.visibilityTimeout.toSeconds());
}

/**
 * Raised when the oldest message of a consumed queue is older than its dead-letter age: a consumer
 * that is stopped (its event source disabled, ThreadlineApi deleted with its function alarms) or held
 * back (ses-mail's cap in a flood of mail) fails nothing, and its messages would expire unseen.
 */
export function alarmOnStalledQueue(
  scope: Construct,
  name: string,
  consumed: ConsumedQueue,
  topic: ITopic,
): Alarm {
  const threshold = deadLetterAge(consumed);
  return alarmOnOldestMessage(scope, `${name}AgeAlarm`, {
    queue: consumed.queue,
    threshold,
    topic,
    description:
      `The oldest message of the ${name.toLowerCase()} queue has waited over ${threshold.toHumanString()}, ` +
      'longer than a failing one takes to be dead-lettered: its consumer is not receiving (event source ' +
      'disabled, ThreadlineApi deleted or failed, concurrency exhausted). Messages expire after 4 days ' +
      '(README, Operations)',
  });
}

/** Raised when the oldest message of `queue` has waited longer than `threshold`: its consumer is stuck. */
export function alarmOnOldestMessage(
  scope: Construct,
  id: string,
  options: { queue: IQueue; threshold: Duration; topic: ITopic; description?: string },
): Alarm {
  return alarm(scope, id, {
    metric: options.queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: options.threshold.toSeconds(),
    topic: options.topic,
    description:
      options.description ??
      `A message has waited over ${options.threshold.toHumanString()}: its consumer fails or is throttled`,
  });
}

/**
 * Two alarms per function: any error, any throttled invocation, in a minute; a reader of the table's
 * stream (`streamLagThresholds`) a third, on how far behind it reads.
 */
export function alarmOnFunction(scope: Construct, id: string, fn: IFunction, topic: ITopic): void {
  const period = Duration.minutes(1);
  alarm(scope, `${id}ErrorsAlarm`, {
    metric: fn.metricErrors({ period, statistic: 'Sum' }),
    threshold: 0,
    topic,
    description: `${id} failed: see its log group for the error code and ids`,
  });
  alarm(scope, `${id}ThrottlesAlarm`, {
    metric: fn.metricThrottles({ period, statistic: 'Sum' }),
    threshold: 0,
    topic,
    description: `${id} was throttled: its reserved or the account's concurrency is exhausted`,
  });
  if (Object.hasOwn(streamLagThresholds, id))
    alarmOnStreamLag(scope, id as keyof typeof streamLagThresholds, fn, topic);
}

/**
 * How far behind the table's stream each consumer may fall (Lambda's `IteratorAge`: the age of the last
 * record of a batch when it was read) before its alarm goes off. A stalled or slow consumer fails
 * nothing until its records pass their maximum age (24 h for integrator events, 1 h for live updates)
 * and are skipped: integrators and agents would see late or missing events with no alarm.
 */
export const streamLagThresholds = { Events: Duration.minutes(15), LiveStream: Duration.minutes(5) } as const;

/** Raised when a stream consumer's `IteratorAge` passes its threshold for a minute. */
export function alarmOnStreamLag(
  scope: Construct,
  id: keyof typeof streamLagThresholds,
  fn: IFunction,
  topic: ITopic,
): void {
  const threshold = streamLagThresholds[id];
  alarm(scope, `${id}StreamLagAlarm`, {
    metric: fn.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: threshold.toMilliseconds(),
    topic,
    description:
      `${id} reads the table's stream over ${threshold.toHumanString()} behind: it fails, is throttled or ` +
      'cannot keep up; records older than their maximum age are skipped (README, Operations)',
  });
}

/**
 * How many 5xx answers of the HTTP API in 5 minutes raise its alarm. A request a function answers 5xx
 * (a webhook that cannot enqueue answers 503 to every request) returns normally from its Lambda, whose
 * Errors alarm stays quiet: the functions' own alarms (`alarmOnFunctionLog`, ServerErrors) raise on any such
 * answer, and this one on the stage's count, which also holds what no function logged (a Lambda that
 * timed out or was throttled, an integration API Gateway could not invoke).
 */
export const apiServerErrorsThreshold = 5;

/** Raised when the HTTP API's stage answers more than `apiServerErrorsThreshold` requests 5xx in 5 minutes. */
export function alarmOnApiServerErrors(scope: Construct, stage: IHttpStage, topic: ITopic): void {
  alarm(scope, 'ApiServerErrorsAlarm', {
    metric: stage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: apiServerErrorsThreshold,
    topic,
    description:
      `The HTTP API answered over ${apiServerErrorsThreshold} requests 5xx in 5 minutes: a function's ` +
      '<Function>ServerErrorsAlarm names it; the API access logs (ApiAccessLogs) give each route, status ' +
      'and integration error (README, Operations)',
  });
}

/** What each alarm on an integration that stopped tells the operator. */
const webhookTrouble = {
  WebhookDeliveriesFailed: {
    message: 'webhook delivery failed for good',
    description:
      'A webhook delivery was given up on after 24 hours of retries: list them (GET /api/webhooks/{id}/deliveries?status=failed), fix the endpoint, replay them (README, Events for integrators)',
  },
  WebhookSubscriptionsDisabled: {
    message: 'webhook subscription disabled',
    description:
      'An integrator endpoint answered 410 Gone: its subscription is disabled and its deliveries are paused; POST /api/webhooks/{id}/enable resumes them (README, Events for integrators)',
  },
} as const;

/**
 * Counts the webhooks function's deliveries given up on and subscriptions disabled (their `warn` log
 * lines) and alarms on any in 5 minutes: an integrator that stops receiving events sees no error.
 */
export function alarmOnWebhookTrouble(
  scope: Construct,
  fn: { readonly logGroup: ILogGroup },
  topic: ITopic,
): void {
  for (const [id, trouble] of Object.entries(webhookTrouble)) {
    const filter = new MetricFilter(scope, `${id}Filter`, {
      logGroup: fn.logGroup,
      filterPattern: FilterPattern.literal(`{ $.message = "${trouble.message}" }`),
      metricNamespace: 'Threadline',
      metricName: id,
      metricValue: '1',
    });
    alarm(scope, `${id}Alarm`, {
      metric: filter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      topic,
      description: trouble.description,
    });
  }
}
