import { Duration, Stack } from 'aws-cdk-lib';
import { ThreadlineFunction } from '../../stacks/constructs/threadline-function.js';
import { appWith } from './cdk-app.js';

/**
 * `tsx test/support/bundled-functions.ts <outdir> <id>=<name>...`: synthesises a stack `Functions` of
 * house functions as they are given (no other props), bundled for real, into `outdir`; each function's
 * asset folder is `asset.<hash>` there, named by its template's `aws:asset:path`. A process of its own:
 * CDK's local bundling hands its child process the real stderr, which a vitest worker thread lacks.
 */
const [outdir, ...functions] = process.argv.slice(2);
const app = appWith({ 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-asset-metadata': true }, outdir);
const stack = new Stack(app, 'Functions');
for (const pair of functions) {
  const [id = '', name = ''] = pair.split('=');
  new ThreadlineFunction(stack, id, { name, timeout: Duration.seconds(3) });
}
app.synth();
