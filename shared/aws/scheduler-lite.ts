import { randomUUID } from 'node:crypto';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { type RetryOptions, withRetries } from './retry.js';
import type { Scheduling } from './scheduler-timers.js';
import { type AwsCallOptions, awsHost, resolveRegion, signedRequest } from './signed-request.js';
import { sqsSendMessage } from './sqs-lite.js';

/** Options of the lite Scheduler calls. */
export type SchedulerLiteOptions = AwsCallOptions & RetryOptions & { newToken?: () => string };

/**
 * One EventBridge Scheduler call (REST JSON on `scheduler.<region>.amazonaws.com`, SigV4), tried again
 * on throttling, 5xx and network errors as the SDK does; an error answer throws AwsRequestError with
 * the service's error name as `code` (ConflictException, ResourceNotFoundException, ...).
 */
async function schedulerCall(method: string, path: string, body: unknown, options: SchedulerLiteOptions) {
  const region = resolveRegion('scheduler', options.region);
  const request = {
    service: 'scheduler',
    region,
    method,
    url: `https://${awsHost('scheduler', region)}${path}`,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' } }),
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  await withRetries(() => signedRequest(request, options), options);
}

/**
 * SchedulerTimers' calls without the SDK: CreateSchedule (`POST /schedules/{Name}`) and DeleteSchedule
 * (`DELETE /schedules/{Name}?groupName=`), each with a fresh idempotency ClientToken as the SDK fills
 * in, and the near timers' SendMessage on the lite SQS client.
 */
export function liteScheduling(options: SchedulerLiteOptions = {}): Scheduling {
  const token = options.newToken ?? randomUUID;
  return {
    createSchedule: ({ Name, ...rest }: CreateScheduleCommandInput) =>
      schedulerCall(
        'POST',
        `/schedules/${encodeURIComponent(String(Name))}`,
        { ...rest, ClientToken: rest.ClientToken ?? token() },
        options,
      ),
    deleteSchedule: ({ Name, GroupName }) =>
      schedulerCall(
        'DELETE',
        `/schedules/${encodeURIComponent(Name)}?${new URLSearchParams({ clientToken: token(), groupName: GroupName })}`,
        undefined,
        options,
      ),
    sendMessage: (input) => sqsSendMessage(input, options),
  };
}
