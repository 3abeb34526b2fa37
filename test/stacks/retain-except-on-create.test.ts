import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { appWith } from '../support/cdk-app.js';

// CloudFormation keeps a `Retain` resource when the create that made it rolls back: a failed first
// deploy left the schedule group and the two secrets, whose fixed names then stopped every retry.
// `RetainExceptOnCreate` keeps them on a later update or delete, and deletes them with a failed create.

const app = appWith({});
const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
const apiStack = new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack));
const stateful = Template.fromStack(statefulStack);
const api = Template.fromStack(apiStack);

const keptExceptOnCreate = { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' };

describe('a failed first deploy leaves nothing that stops the retry', () => {
  it.each(['threadline/providers', 'threadline/signing'])(
    'deletes the secret %s with a failed create, and keeps it otherwise',
    (name) => {
      stateful.hasResource('AWS::SecretsManager::Secret', {
        Properties: { Name: name },
        ...keptExceptOnCreate,
      });
    },
  );

  it('deletes the timers’ schedule group (a fixed name), its role and policy with a failed create', () => {
    api.hasResource('AWS::Scheduler::ScheduleGroup', {
      Properties: { Name: 'ThreadlineApi-timers' },
      ...keptExceptOnCreate,
    });
    const roles = api.findResources('AWS::IAM::Role', { ...keptExceptOnCreate });
    expect(Object.keys(roles)).toEqual([expect.stringMatching(/^TimersSchedulerRole/)]);
    const policies = api.findResources('AWS::IAM::Policy', { ...keptExceptOnCreate });
    expect(Object.keys(policies)).toEqual([expect.stringMatching(/^TimersSchedulerRoleDefaultPolicy/)]);
  });

  it('keeps plain Retain only where a delete would fail the rollback: the deletion-protected table and pool', () => {
    const retained = (template: Template) =>
      Object.values(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
        .filter((r) => r.DeletionPolicy === 'Retain')
        .map((r) => r.Type)
        .sort();
    expect(retained(stateful)).toEqual(['AWS::Cognito::UserPool', 'AWS::DynamoDB::Table']);
    expect(retained(api)).toEqual([]);
  });
});
