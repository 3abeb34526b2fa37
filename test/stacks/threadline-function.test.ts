import { App, Duration, Stack } from 'aws-cdk-lib';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ThreadlineFunction } from '../../stacks/constructs/threadline-function.js';

/** The error that synthesising an app with one house function throws, after `change`; no bundling. */
function synthError(change: (fn: ThreadlineFunction) => void): unknown {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const fn = new ThreadlineFunction(new Stack(app, 'Functions'), 'Fn', {
    name: 'resolver',
    timeout: Duration.seconds(3),
  });
  change(fn);
  try {
    app.synth();
    return undefined;
  } catch (error) {
    return error;
  }
}

// Synthesised once, outside the tests: the first synthesis in a worker loads much of aws-cdk-lib.
const unchanged = synthError(() => {});
const withManagedPolicy = synthError((fn) =>
  fn.role?.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess')),
);

describe('ThreadlineFunction', () => {
  it('synthesises with a role that holds no managed policy', () => {
    expect(unchanged).toBeUndefined();
  });

  it('fails synth when a managed policy is added to its role, rather than dropping it', () => {
    expect(withManagedPolicy).toBeInstanceOf(Error);
    expect(String(withManagedPolicy)).toMatch(/takes no managed policy/);
  });
});
