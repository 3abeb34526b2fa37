import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';
import { AGENT_AWAY_SWEEP_MINUTES, AGENT_AWAY_TASK } from '#shared/domain/agent-away.js';
import { AGENT_LOAD_RECONCILE_MINUTES, AGENT_LOAD_TASK } from '#shared/domain/agent-load.js';
import { ThreadlineFunction } from './constructs/threadline-function.js';

/** How the timers queue's consumer runs: one table read and a few writes per timer. */
export const timersConsumer = {
  timeout: Duration.seconds(30),
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
} as const;

type TimerSetting = Extract<keyof Config, `TIMERS_${string}`>;

/** What the timers need from the stateful stack. */
export interface TimersProps {
  readonly table: ITable;
  readonly timersQueue: IQueue;
  readonly timersDeadLetterQueue: IQueue;
}

/**
 * Durable timers (#15): a schedule group whose one-time schedules EventBridge Scheduler runs with a
 * role that may only send to the timers queue; the timers function that consumes it; and `setters`
 * (the resolver, the agent API, and the sender, whose give-ups start SLA targets again) allowed to
 * create and delete schedules in the group only.
 */
export function addTimers(
  scope: Construct,
  props: TimersProps,
  setters: ThreadlineFunction[],
): ThreadlineFunction {
  const stack = Stack.of(scope);
  const group = new CfnScheduleGroup(scope, 'TimersScheduleGroup', { name: `${stack.stackName}-timers` });
  const role = new Role(scope, 'TimersSchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: 'EventBridge Scheduler puts due timers on the timers queue',
  });
  props.timersQueue.grantSendMessages(role);
  props.timersDeadLetterQueue.grantSendMessages(role);
  // Deleting the group deletes its schedules, every pending timer; they keep firing (as the role) if
  // this stack is deleted (README, Deleting the stacks). A create that rolls back deletes them: a new
  // group holds no timer, and the kept one's fixed name stopped every retry of a failed first deploy.
  const kept = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
  group.applyRemovalPolicy(kept);
  role.applyRemovalPolicy(kept);
  const grants = role.node.tryFindChild('DefaultPolicy');
  if (!(grants instanceof Policy)) throw new Error(`${role.node.path}: expected its default policy`);
  grants.applyRemovalPolicy(kept);
  const timers = new ThreadlineFunction(scope, 'Timers', {
    name: 'timers',
    timeout: timersConsumer.timeout,
    description:
      "Threadline timers: SLA warnings and breaches, snooze wake-ups, auto-resolve, erasures' second pass; agents' load reconcile and away sweep",
    assets: ['shared/domain/routing/default-policy.json'],
  }).bindTable(props.table, { delete: true });
  timers.consume(props.timersQueue, timersConsumer);
  // The agents' load reconcile, and the sweep that hands an absent agent's waiting conversations back.
  addPeriodicTask(scope, timers, {
    id: 'AgentLoadReconcile',
    description: "Threadline: reconcile the agents' open-conversation counts with the conversations",
    minutes: AGENT_LOAD_RECONCILE_MINUTES,
    task: AGENT_LOAD_TASK,
  });
  addPeriodicTask(scope, timers, {
    id: 'AgentAwaySweep',
    description: 'Threadline: hand back the waiting conversations of agents who left the console',
    minutes: AGENT_AWAY_SWEEP_MINUTES,
    task: AGENT_AWAY_TASK,
  });
  const schedules = `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/${group.name}/*`;
  const env: Record<TimerSetting, string> = {
    TIMERS_QUEUE_URL: props.timersQueue.queueUrl,
    TIMERS_QUEUE_ARN: props.timersQueue.queueArn,
    TIMERS_DEAD_LETTER_ARN: props.timersDeadLetterQueue.queueArn,
    TIMERS_SCHEDULER_ROLE_ARN: role.roleArn,
    TIMERS_SCHEDULE_GROUP: group.name ?? '',
  };
  for (const fn of [...setters, timers]) {
    for (const [name, value] of Object.entries(env)) fn.addEnvironment(name, value);
    props.timersQueue.grantSendMessages(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    fn.addToRolePolicy(new PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn] }));
    NagSuppressions.addResourceSuppressions(
      fn,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'A schedule is named from its timer id, so the function creates and deletes any schedule of ' +
            "Threadline's own schedule group, and none outside it.",
          appliesTo: [{ regex: '/^Resource::arn:.*:scheduler:.*:schedule/.*\\/\\*$/' }],
        },
      ],
      true,
    );
  }
  return timers;
}

/**
 * Runs a periodic task on the timers function every `minutes`: an EventBridge rule whose target invokes
 * it with `{"task": <task>}` (the function's permission names the rule). A run that fails is retried
 * twice within the period; any later run finishes the work, so none is kept longer.
 */
function addPeriodicTask(
  scope: Construct,
  timers: ThreadlineFunction,
  rule: { id: string; description: string; minutes: number; task: string },
): Rule {
  const period = Duration.minutes(rule.minutes);
  return new Rule(scope, rule.id, {
    description: rule.description,
    schedule: Schedule.rate(period),
    targets: [
      new LambdaFunction(timers, {
        event: RuleTargetInput.fromObject({ task: rule.task }),
        retryAttempts: 2,
        maxEventAge: period,
      }),
    ],
  });
}
