import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { sdkScheduling } from '#shared/aws/scheduler-sdk.js';
import { SchedulerTimers, scheduleName } from '#shared/aws/scheduler-timers.js';
import { newTimer } from '#shared/domain/timer-ports.js';
import { UnavailableError } from '#shared/errors.js';
import { mockAws } from '../../../support/aws-mock.js';

const scheduler = mockAws(SchedulerClient);
const sqs = mockAws(SQSClient);
const NOW = Date.parse('2026-06-10T12:00:00.000Z');
const target = {
  queueArn: 'arn:aws:sqs:eu-west-1:123456789012:threadline-timers',
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-timers',
  roleArn: 'arn:aws:iam::123456789012:role/threadline-scheduler',
  group: 'threadline-timers',
  deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:threadline-timers-dlq',
};
const timers = () =>
  new SchedulerTimers(sdkScheduling({ scheduler: new SchedulerClient({}), sqs: new SQSClient({}) }), target, {
    now: () => new Date(NOW),
  });
const timer = (minutes: number) =>
  newTimer({
    kind: 'sla_breached',
    subject: 'cv_1',
    detail: 'firstResponse',
    version: new Date(NOW + minutes * 60_000).toISOString(),
    dueAt: new Date(NOW + minutes * 60_000 + 250).toISOString(),
  });

describe('SchedulerTimers', () => {
  beforeEach(() => {
    scheduler.reset();
    sqs.reset();
  });

  it('creates a one-time schedule at the due time: at(), UTC, flexible window off, deleted after completion', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const t = timer(60);
    await timers().schedule(t);
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(input).toEqual({
      Name: scheduleName(t.id),
      GroupName: 'threadline-timers',
      ScheduleExpression: 'at(2026-06-10T13:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: target.queueArn,
        RoleArn: target.roleArn,
        Input: JSON.stringify(t),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: target.deadLetterArn },
      },
    });
    expect(input?.Name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('treats a duplicate name (ConflictException) as already scheduled', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await expect(timers().schedule(timer(60))).resolves.toBeUndefined();
  });

  it('answers unavailable when Scheduler refuses otherwise', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ValidationException({ message: 'bad', Message: 'bad', $metadata: {} }));
    await expect(timers().schedule(timer(60))).rejects.toBeInstanceOf(UnavailableError);
  });

  it('puts a timer due within 15 minutes straight on the queue with a delay, and a past one at once', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await timers().schedule(timer(10));
    await timers().schedule(timer(-5));
    const delays = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.DelaySeconds);
    expect(delays).toEqual([601, 0]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.QueueUrl).toBe(target.queueUrl);
    expect(scheduler.calls()).toHaveLength(0);
  });

  it('cancels by deleting the schedule; one already gone is fine', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await timers().cancel('some-timer');
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: scheduleName('some-timer'),
      GroupName: 'threadline-timers',
    });
  });

  it('derives the same schedule name from the same timer id, and another from another', () => {
    expect(scheduleName('a')).toBe(scheduleName('a'));
    expect(scheduleName('a')).not.toBe(scheduleName('b'));
    expect(scheduleName('x'.repeat(500))).toHaveLength(50);
  });
});
