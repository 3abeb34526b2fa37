import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Scheduling } from './scheduler-timers.js';

/** SchedulerTimers' calls through the AWS SDK clients (tests mock them with aws-sdk-client-mock). */
export function sdkScheduling(clients: { scheduler: SchedulerClient; sqs: SQSClient }): Scheduling {
  return {
    createSchedule: (input) => clients.scheduler.send(new CreateScheduleCommand(input)),
    deleteSchedule: (input) => clients.scheduler.send(new DeleteScheduleCommand(input)),
    sendMessage: (input) => clients.sqs.send(new SendMessageCommand(input)),
  };
}
