import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { ThreadlineFunction } from './constructs/threadline-function.js';

/**
 * The parts of a Bedrock model id: a system-defined inference profile's id is the model's id behind
 * a geography (`us.`, `eu.`, `apac.`, `global.`...): three or more dot-separated parts, where a
 * foundation model's id (`anthropic.claude-3-haiku-20240307-v1:0`) has two.
 */
export function bedrockModelParts(modelId: string): { profile: boolean; foundationModel: string } {
  const [, ...rest] = modelId.split('.');
  return rest.length >= 2
    ? { profile: true, foundationModel: rest.join('.') }
    : { profile: false, foundationModel: modelId };
}

/**
 * Lets `fn` invoke the configured model and nothing else. A foundation model id: that model in the
 * stack's region. An inference profile id: the profile in this account and region, and its model in
 * any region but only through that profile (`bedrock:InferenceProfileArn`): a profile routes to
 * regions AWS chooses per model and adds to over time, so a list written here would refuse a request
 * routed to a region added later.
 */
export function grantBedrockModel(fn: ThreadlineFunction, modelId: string): void {
  const stack = Stack.of(fn);
  const { profile, foundationModel } = bedrockModelParts(modelId);
  if (!profile) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [`arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${modelId}`],
      }),
    );
    return;
  }
  const profileArn = `arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:inference-profile/${modelId}`;
  fn.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [profileArn] }));
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [`arn:${stack.partition}:bedrock:*::foundation-model/${foundationModel}`],
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The one model of the configured inference profile, in the regions the profile routes to: any ' +
          'region, but only through that profile (condition bedrock:InferenceProfileArn).',
        appliesTo: [`Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${foundationModel}`],
      },
    ],
    true,
  );
}
