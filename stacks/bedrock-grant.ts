import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { ThreadlineFunction } from './constructs/threadline-function.js';

/** What the configured model id lets the resolver invoke: one model, or one profile and its model(s). */
type BedrockTarget =
  | { readonly model: string }
  | { readonly profile: string | undefined; readonly profileId: string; readonly model: string };

/**
 * What `modelId` names. A foundation model id (`anthropic.claude-3-haiku-20240307-v1:0`) has two
 * dot-separated parts; a system-defined inference profile's id puts a geography before them (`us.`,
 * `eu.`, `apac.`, `global.`...). An ARN names its resource itself: a foundation model, an inference
 * profile (its model read from its id) or an application inference profile (whose models it does not
 * name: any, through that profile only).
 */
export function bedrockTarget(modelId: string): BedrockTarget {
  const arn =
    /^arn:[^:]+:bedrock:[^:]*:[^:]*:(foundation-model|inference-profile|application-inference-profile)\/(.+)$/.exec(
      modelId,
    );
  if (arn?.[1] === 'foundation-model') return { model: modelId };
  if (arn?.[1] === 'application-inference-profile') return { profile: modelId, profileId: '', model: '*' };
  const id = arn?.[2] ?? modelId;
  const [, ...rest] = id.split('.');
  if (rest.length < 2) return { model: id };
  return { profile: arn ? modelId : undefined, profileId: id, model: rest.join('.') };
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
  const target = bedrockTarget(modelId);
  if (!('profileId' in target)) {
    const arn = target.model.startsWith('arn:')
      ? target.model
      : `arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${target.model}`;
    fn.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [arn] }));
    return;
  }
  const profileArn =
    target.profile ??
    `arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:inference-profile/${target.profileId}`;
  fn.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [profileArn] }));
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [`arn:${stack.partition}:bedrock:*::foundation-model/${target.model}`],
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
    }),
  );
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The model(s) of the configured inference profile, in the regions the profile routes to: any ' +
          'region, but only through that profile (condition bedrock:InferenceProfileArn).',
        appliesTo: [`Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${target.model}`],
      },
    ],
    true,
  );
}
