import { App, Duration, Stack } from 'aws-cdk-lib';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  DEPLOY_TIME_VALUE_BYTES,
  environmentSize,
  LAMBDA_ENVIRONMENT_BYTES,
  ThreadlineFunction,
} from '../../stacks/constructs/threadline-function.js';

/**
 * The error that synthesising an app with one house function (running `name`, given `context`)
 * throws, after `change`; no bundling.
 */
function synthError(
  change: (fn: ThreadlineFunction) => void,
  { name = 'resolver', context = {} }: { name?: string; context?: Record<string, string> } = {},
): unknown {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const fn = new ThreadlineFunction(new Stack(app, 'Functions'), 'Fn', {
    name,
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

/** A resolver whose environment, NODE_OPTIONS and a queue URL included, is `bytes` as Lambda measures it. */
function withEnvironmentOf(bytes: number) {
  return synthError((fn) => {
    fn.addEnvironment('INBOUND_QUEUE_URL', new Queue(fn, 'Queue').queueUrl);
    const base = environmentSize({
      NODE_OPTIONS: '--enable-source-maps',
      INBOUND_QUEUE_URL: { Ref: 'Queue' },
      BEDROCK_MODEL_ID: '',
    }).bytes;
    fn.addEnvironment('BEDROCK_MODEL_ID', 'm'.repeat(bytes - base));
  });
}

const voiceContext = { voiceGreeting: 'g'.repeat(2200), voiceWithheldMessage: 'w'.repeat(1900) };
const longVoice = synthError(() => {}, { name: 'twilio-voice', context: voiceContext });
const atLimit = withEnvironmentOf(LAMBDA_ENVIRONMENT_BYTES);
const overLimit = withEnvironmentOf(LAMBDA_ENVIRONMENT_BYTES + 1);

describe('ThreadlineFunction: the 4 KB environment', () => {
  it("refuses at synth a function whose environment is over Lambda's 4 KB, naming it, its size and the settings", () => {
    expect(longVoice).toBeInstanceOf(Error);
    const message = String(longVoice);
    expect(message).toMatch(
      /twilio-voice: its environment takes 4\d{3} bytes, over Lambda's 4 KB \(4096 bytes/,
    );
    expect(message).toContain(
      'VOICE_GREETING 2200 bytes (context voiceGreeting), VOICE_WITHHELD_MESSAGE 1900 bytes (context voiceWithheldMessage)',
    );
  });

  it('takes an environment of exactly 4,096 bytes and refuses one byte more', () => {
    expect(atLimit).toBeUndefined();
    expect(String(overLimit)).toMatch(/resolver: its environment takes 4097 bytes/);
  });

  it('measures the variables as JSON: escapes and UTF-8 bytes exactly, a deploy-time value as 128 bytes', () => {
    expect(environmentSize({}).bytes).toBe(2);
    expect(environmentSize({ A: 'x' }).bytes).toBe('{"A":"x"}'.length);
    expect(environmentSize({ A: 'é"' }).bytes).toBe(Buffer.byteLength('{"A":"é\\""}'));
    expect(environmentSize({ A: { Ref: 'Queue' } }).bytes).toBe('{"A":""}'.length + DEPLOY_TIME_VALUE_BYTES);
    const join = { 'Fn::Join': [',', [{ Ref: 'T1' }, { Ref: 'T2' }, 'x']] };
    expect(environmentSize({ A: join }).bytes).toBe('{"A":""}'.length + 2 * DEPLOY_TIME_VALUE_BYTES + 3);
  });
});

describe('ThreadlineFunction', () => {
  it('synthesises with a role that holds no managed policy', () => {
    expect(unchanged).toBeUndefined();
  });

  it('fails synth when a managed policy is added to its role, rather than dropping it', () => {
    expect(withManagedPolicy).toBeInstanceOf(Error);
    expect(String(withManagedPolicy)).toMatch(/takes no managed policy/);
  });
});
