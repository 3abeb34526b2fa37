import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { alarmOnWebhookTrouble } from './alarms.js';
import { ThreadlineFunction } from './constructs/threadline-function.js';
import { suppressStreamReaderFindings } from './nag-suppressions.js';
import { webhookConsumer } from './stateful-stack.js';

/** What the integrator events need from the stateful stack. */
export interface IntegratorEventsProps {
  readonly table: ITable;
  readonly webhookQueue: IQueue;
  readonly changeFeedFailuresQueue: IQueue;
  readonly alarmTopic: ITopic;
}

/**
 * The change feed and integrator webhooks: `events` reads the table's stream (in order per item; a
 * failed record is retried from itself, a failing batch is split to find it, and after 10 tries or
 * 24 hours it goes to the failures queue) and queues deliveries; `webhooks` posts them, signed.
 */
export function addIntegratorEvents(
  scope: Construct,
  props: IntegratorEventsProps,
): { events: ThreadlineFunction; webhooks: ThreadlineFunction } {
  const events = new ThreadlineFunction(scope, 'Events', {
    name: 'events',
    timeout: Duration.seconds(60),
    description: 'Threadline events: the change feed (DynamoDB Streams) to integrator webhook deliveries',
  })
    .bindTable(props.table)
    .bindQueue(props.webhookQueue, 'WEBHOOK_QUEUE_URL');
  events.addEventSource(
    new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      parallelizationFactor: 1,
      onFailure: new SqsDlq(props.changeFeedFailuresQueue),
    }),
  );
  suppressStreamReaderFindings(events);
  const webhooks = new ThreadlineFunction(scope, 'Webhooks', {
    name: 'webhooks',
    timeout: webhookConsumer.timeout,
    description: 'Threadline webhooks: signed deliveries to integrators, retried for 24 hours',
  })
    .bindTable(props.table)
    // A retry is the same message sent again with a delay.
    .bindQueue(props.webhookQueue, 'WEBHOOK_QUEUE_URL');
  webhooks.consume(props.webhookQueue, webhookConsumer);
  alarmOnWebhookTrouble(scope, webhooks, props.alarmTopic);
  return { events, webhooks };
}
