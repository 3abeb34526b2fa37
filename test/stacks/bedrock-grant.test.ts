import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { appWith, logicalId } from '../support/cdk-app.js';

// The resolver may invoke the configured model only: before, `foundation-model/*` in every region (and
// an inference-profile ARN that means nothing for a plain model id), which cdk-nag refused (IAM5).

function resolverWith(bedrockModelId: string, nag = false) {
  const app = appWith({ bedrockModelId, '@aws-cdk/core:annotationsInValidationReport': false });
  if (nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const stateful = new StatefulStack(app, 'ThreadlineStateful');
  const stack = new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful));
  const role = logicalId(stack, 'Resolver/ServiceRole');
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: role }] },
  });
  const statements = Object.values(policies)
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => JSON.stringify(s.Action).includes('bedrock:'));
  return { stack, statements };
}

const partition = { Ref: 'AWS::Partition' };
const region = { Ref: 'AWS::Region' };
const account = { Ref: 'AWS::AccountId' };

describe('the resolver’s Bedrock grant', () => {
  it('is the one foundation model, in the stack’s region, for a plain model id', () => {
    const { statements } = resolverWith('anthropic.claude-3-haiku-20240307-v1:0');
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              partition,
              ':bedrock:',
              region,
              '::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
            ],
          ],
        },
      },
    ]);
  });

  it.each(['us', 'eu', 'apac', 'global'])(
    'is the %s inference profile in this account and region, and its model only through that profile',
    (geo) => {
      const id = `${geo}.anthropic.claude-3-5-sonnet-20240620-v1:0`;
      const { statements } = resolverWith(id);
      const profileArn = {
        'Fn::Join': ['', ['arn:', partition, ':bedrock:', region, ':', account, `:inference-profile/${id}`]],
      };
      expect(statements).toEqual([
        { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: profileArn },
        {
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', partition, ':bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0'],
            ],
          },
          Condition: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
        },
      ]);
    },
  );

  it('is exactly the model a foundation model ARN names', () => {
    const arn = 'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
    expect(resolverWith(arn).statements).toEqual([
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: arn },
    ]);
  });

  it.each([
    [
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
    ],
    ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3', '*'],
  ])('is the profile an ARN names, and its model only through it: %s', (arn, model) => {
    expect(resolverWith(arn).statements).toEqual([
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: arn },
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: { 'Fn::Join': ['', ['arn:', partition, `:bedrock:*::foundation-model/${model}`]] },
        Condition: { StringEquals: { 'bedrock:InferenceProfileArn': arn } },
      },
    ]);
  });

  it.each([
    'anthropic.claude-3-haiku-20240307-v1:0',
    'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
    'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3',
  ])('passes cdk-nag with bedrockModelId=%s', (id) => {
    const { stack } = resolverWith(id, true);
    const errors = Annotations.fromStack(stack)
      .findError('*', Match.stringLikeRegexp('AwsSolutions-'))
      .map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`);
    expect(errors).toEqual([]);
  });
});
