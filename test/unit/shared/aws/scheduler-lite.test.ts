import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liteScheduling } from '#shared/aws/scheduler-lite.js';
import { createScheduleInput, SchedulerTimers } from '#shared/aws/scheduler-timers.js';
import type { AwsCredentials } from '#shared/aws/signed-request.js';
import { newTimer } from '#shared/domain/timer-ports.js';
import { UnavailableError } from '#shared/errors.js';
import { FakeAws } from '../../../support/fake-aws.js';

const CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const REGION = 'eu-west-1';
const NOW = Date.parse('2026-06-10T12:00:00.000Z');
const target = {
  queueArn: 'arn:aws:sqs:eu-west-1:210987654321:tl-timers',
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/210987654321/tl-timers',
  roleArn: 'arn:aws:iam::210987654321:role/tl-scheduler',
  group: 'tl-timers',
};
const timer = newTimer({
  kind: 'sla_breached',
  subject: 'cv_1',
  detail: 'firstResponse',
  version: '2026-06-10T13:00:00.000Z',
  dueAt: '2026-06-10T13:00:00.250Z',
});

/** The request the SDK's Scheduler client sends for `command` (nothing leaves the process). */
async function sdkRequest(command: CreateScheduleCommand | DeleteScheduleCommand) {
  let seen: { method: string; path: string; query: unknown; body: unknown } | undefined;
  const client = new SchedulerClient({
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler: {
      handle: async (request: {
        method: string;
        path: string;
        query: Record<string, string>;
        body?: string;
      }) => {
        seen = {
          method: request.method,
          path: request.path,
          query: { ...request.query },
          body: request.body ? JSON.parse(request.body) : undefined,
        };
        return { response: { statusCode: 200, headers: {}, body: Buffer.from('{}') } };
      },
    },
  });
  await client.send(command as CreateScheduleCommand);
  return seen;
}

let fake: FakeAws;
let scheduling: ReturnType<typeof liteScheduling>;
beforeEach(async () => {
  fake = new FakeAws({ service: 'scheduler', region: REGION, credentials: CREDENTIALS });
  const endpoint = await fake.start();
  scheduling = liteScheduling({
    region: REGION,
    endpoint,
    credentials: () => CREDENTIALS,
    newToken: () => 'token-1',
    sleep: async () => {},
  });
});
afterEach(async () => {
  await fake.stop();
  expect(fake.mismatches).toEqual([]);
});

const received = () => {
  const r = fake.received[0];
  const url = new URL(r?.url ?? '', 'http://x');
  return {
    method: r?.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: r?.body.length ? JSON.parse(r.body.toString()) : undefined,
  };
};

describe('liteScheduling: the requests the SDK sends', () => {
  it('CreateSchedule: the same method, path and JSON body', async () => {
    const input = { ...createScheduleInput(timer, target), ClientToken: 'token-1' };
    fake.reply = () => ({ status: 200, body: '{"ScheduleArn":"arn:s"}' });
    await scheduling.createSchedule(createScheduleInput(timer, target));
    expect(received()).toEqual(await sdkRequest(new CreateScheduleCommand(input)));
  });

  it('DeleteSchedule: the same method, path and query', async () => {
    const input = { Name: 't-abc', GroupName: 'threadline-timers', ClientToken: 'token-1' };
    fake.reply = () => ({ status: 200, body: '{}' });
    await scheduling.deleteSchedule({ Name: 't-abc', GroupName: 'threadline-timers' });
    expect(received()).toEqual({ ...(await sdkRequest(new DeleteScheduleCommand(input))), body: undefined });
  });
});

describe('SchedulerTimers on the lite calls', () => {
  const timers = () => new SchedulerTimers(scheduling, target, { now: () => new Date(NOW) });
  const error = (status: number, type: string) => ({
    status,
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.chronos/` },
    body: JSON.stringify({ Message: type }),
  });

  it('takes a conflict as the schedule made before, and a missing schedule on cancel as done', async () => {
    fake.reply = () => error(409, 'ConflictException');
    await timers().schedule(timer);
    fake.reply = () => error(404, 'ResourceNotFoundException');
    await timers().cancel(timer.id);
    expect(fake.received).toHaveLength(2);
  });

  it('retries throttling, then says Unavailable', async () => {
    fake.reply = () => error(429, 'ThrottlingException');
    const failure = await timers()
      .schedule(timer)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error).message).toContain('ThrottlingException');
    expect(fake.received).toHaveLength(3);
  });
});
