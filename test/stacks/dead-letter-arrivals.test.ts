import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { appWith, logicalId } from '../support/cdk-app.js';

const statefulStack = new StatefulStack(appWith({}), 'ThreadlineStateful');
const stateful = Template.fromStack(statefulStack);
const resources = stateful.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const topicRef = { Ref: logicalId(statefulStack, 'AlarmTopic') };

/**
 * A dead-letter queue's "any message" alarm stays raised while one letter waits (up to 14 days), so a
 * second failure meanwhile told nobody: each such queue has a second alarm, raised for the minute its
 * count of visible messages goes up (metric math on the count: SQS publishes no NumberOfMessagesSent for
 * a message its redrive policy moves there), and cleared the minute after.
 */
describe('the arrival alarms of the queues of given-up messages', () => {
  it.each([
    ['InboundDeadLetter', 'InboundDeadLetterQueue', 'inbound'],
    ['MailDeadLetter', 'MailDeadLetterQueue', 'mail'],
    ['OutboundDeadLetter', 'OutboundDeadLetterQueue', 'outbound'],
    ['TimersDeadLetter', 'TimersDeadLetterQueue', 'timers'],
    ['FailedEvents', 'FailedEventsQueue', undefined],
    ['WebhookDeadLetter', 'WebhookDeadLetterQueue', 'webhooks'],
    ['ChangeFeedFailures', 'ChangeFeedFailuresQueue', undefined],
  ])('%s: raised when another message arrives while one waits', (name, queue, redrive) => {
    const alarm = resources[logicalId(statefulStack, `${name}ArrivalAlarm`)];
    expect(alarm?.Type).toBe('AWS::CloudWatch::Alarm');
    const props = alarm?.Properties ?? {};
    expect(props).toMatchObject({
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    const metrics = props.Metrics as Array<Record<string, unknown>>;
    const expression = metrics.find((m) => m.ReturnData !== false);
    expect(expression?.Expression).toBe('DIFF(visible)');
    const visible = metrics.find((m) => m.Id === 'visible');
    expect(visible).toMatchObject({
      ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [
            { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(statefulStack, queue), 'QueueName'] } },
          ],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    });
    const description = String(props.AlarmDescription);
    expect(description).toMatch(/arrived/);
    if (redrive) expect(description).toContain(`npm run redrive -- ${redrive}`);
  });
});
