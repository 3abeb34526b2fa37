import { App, Aspects, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack, statefulInputs } from './api-stack.js';
import { refuseUnknownContext, warnUnsavedContext } from './context-keys.js';
import { StatefulStack } from './stateful-stack.js';

const app = new App();
// A misspelt key of ours (`-c reopenWindowHour=1`) stops the synth, naming it and the key meant.
refuseUnknownContext(app);

// `cdk synth -c nag=true` runs cdk-nag's AwsSolutions checks: an unsuppressed finding fails synthesis.
// Accepted findings and their reasons are in nag-suppressions.ts; test/stacks/nag.test.ts always runs them.
if (String(app.node.tryGetContext('nag')) === 'true') Aspects.of(app).add(new AwsSolutionsChecks());

// Pinned to the CLI's account and region when it knows them; environment-agnostic otherwise, so synth
// needs no credentials and makes no lookups.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env: Environment | undefined = account && region ? { account, region } : undefined;
const tags = { app: 'threadline' };

const stateful = new StatefulStack(app, 'ThreadlineStateful', {
  env,
  tags,
  description: 'Threadline: table, queues, provider secret, raw-mail bucket and SES receiving and events',
});
new ApiStack(app, 'ThreadlineApi', {
  env,
  tags,
  description: 'Threadline: functions and HTTP API',
  ...statefulInputs(stateful),
});
// A setting given with -c alone is gone at the next deploy without it: each stack says so.
warnUnsavedContext(app);

app.synth();
