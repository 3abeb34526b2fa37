import { createHash } from 'node:crypto';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { Clock } from '../domain/ports.js';
import type { Timer, Timers } from '../domain/timer-ports.js';
import { UnavailableError } from '../errors.js';
import { AwsRequestError } from './request-error.js';

/**
 * The calls SchedulerTimers makes, in the SDK's input shapes: the lite clients on Lambda
 * (`liteScheduling`), the SDK clients in tests (`sdkScheduling`, scheduler-sdk.ts).
 */
export interface Scheduling {
  createSchedule(input: CreateScheduleCommandInput): Promise<unknown>;
  deleteSchedule(input: { Name: string; GroupName: string }): Promise<unknown>;
  sendMessage(input: { QueueUrl: string; MessageBody: string; DelaySeconds: number }): Promise<unknown>;
}

/** An AWS error's name: the SDK exception's, or the code of a lite client's AwsRequestError. */
function awsErrorName(error: unknown): string {
  if (error instanceof AwsRequestError) return error.code;
  return error instanceof Error ? error.name : 'Error';
}

/** Where timers fire: the timers queue, the role Scheduler sends with, the schedule group. */
export interface SchedulerTarget {
  queueArn: string;
  queueUrl: string;
  roleArn: string;
  group: string;
  deadLetterArn?: string | undefined;
}

/** SQS holds a message back at most 15 minutes: nearer timers go straight on the queue, delayed. */
const MAX_SQS_DELAY_S = 900;

/** A schedule's name from its timer's id: stable (a second CreateSchedule conflicts) and within 64 characters. */
export function scheduleName(timerId: string): string {
  return `t-${createHash('sha256').update(timerId).digest('hex').slice(0, 48)}`;
}

/** A one-time schedule at the timer's due time (whole seconds, UTC) that puts the timer on the queue. */
export function createScheduleInput(timer: Timer, target: SchedulerTarget): CreateScheduleCommandInput {
  return {
    Name: scheduleName(timer.id),
    GroupName: target.group,
    ScheduleExpression: `at(${new Date(timer.dueAt).toISOString().slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: target.queueArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify(timer),
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      ...(target.deadLetterArn ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
    },
  };
}

/**
 * Durable timers on AWS: an EventBridge Scheduler one-time schedule per timer (flexible window off,
 * deleted after it fires) whose target is the timers queue; a timer due within 15 minutes goes on the
 * queue directly with a delay (cheaper, and to the second). Setting a timer twice is one schedule.
 */
export class SchedulerTimers implements Timers {
  readonly #calls: Scheduling;
  readonly #target: SchedulerTarget;
  readonly #clock: Clock;

  constructor(calls: Scheduling, target: SchedulerTarget, clock: Clock) {
    this.#calls = calls;
    this.#target = target;
    this.#clock = clock;
  }

  async schedule(timer: Timer): Promise<void> {
    const delayS = Math.ceil((Date.parse(timer.dueAt) - this.#clock.now().getTime()) / 1000);
    try {
      if (delayS <= MAX_SQS_DELAY_S) {
        const body = JSON.stringify(timer);
        const DelaySeconds = Math.max(0, delayS);
        await this.#calls.sendMessage({ QueueUrl: this.#target.queueUrl, MessageBody: body, DelaySeconds });
        return;
      }
      await this.#calls.createSchedule(createScheduleInput(timer, this.#target));
    } catch (error) {
      // The same timer set before: its schedule is there already.
      const name = awsErrorName(error);
      if (name === 'ConflictException') return;
      throw new UnavailableError(`the timer could not be set (${name})`, { cause: error });
    }
  }

  async cancel(timerId: string): Promise<void> {
    try {
      await this.#calls.deleteSchedule({ Name: scheduleName(timerId), GroupName: this.#target.group });
    } catch (error) {
      // Fired (and deleted), never made (a queued near timer), or cancelled before: nothing to do.
      const name = awsErrorName(error);
      if (name === 'ResourceNotFoundException') return;
      throw new UnavailableError(`the timer could not be cancelled (${name})`, { cause: error });
    }
  }
}
