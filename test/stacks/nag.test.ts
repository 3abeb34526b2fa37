import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { appWith } from '../support/cdk-app.js';

/**
 * Both stacks in an app with cdk.json's feature flags and `context` on top, checked by cdk-nag's
 * AwsSolutions pack; no stack is bundled.
 */
function checkedStacks(context: Record<string, unknown>) {
  const app = appWith({
    // With this flag an error annotation fails synthesis outright; off here, findings stay annotations
    // that the assertions below can list. It changes no template.
    '@aws-cdk/core:annotationsInValidationReport': false,
    ...context,
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true, logIgnores: true }));
  const stateful = new StatefulStack(app, 'ThreadlineStateful');
  const api = new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful));
  return { stateful, api };
}

const withoutEmail = checkedStacks({});
// Email configured as stacks.test.ts configures it: the receipt rule set and its rule exist.
const withEmail = checkedStacks({
  emailDomain: 'mail.example.com',
  emailRecipients: 'help@example.org, .example.net',
});

// Also matches CdkNagValidationFailure, whose message names the AwsSolutions rule that could not run.
const ruleId = Match.stringLikeRegexp('AwsSolutions-');
const MessageSchema = z.string();

/** Unsuppressed AwsSolutions errors and warnings, one line each: level, path, message. */
function findings(annotations: Annotations): string[] {
  return [
    ...annotations.findError('*', ruleId).map((f) => ['error', f] as const),
    ...annotations.findWarning('*', ruleId).map((f) => ['warning', f] as const),
  ].map(([level, f]) => `${level} ${f.id}: ${MessageSchema.parse(f.entry.data).split('\n')[0]}`);
}

/** The suppressed findings as `rule path`, one per resource and rule, from cdk-nag's `logIgnores`. */
function suppressed(annotations: Annotations): string[] {
  const infos = annotations.findInfo('*', Match.stringLikeRegexp('^CdkNagSuppression'));
  const lines = infos.map((f) => {
    const message = MessageSchema.parse(f.entry.data);
    return `${/: (\S+) was triggered but suppressed/.exec(message)?.[1] ?? message} ${f.id}`;
  });
  return [...new Set(lines)].sort();
}

// Each synthesis runs the whole app, so each stack's annotations are read once, outside the tests.
const annotations = {
  stateful: Annotations.fromStack(withoutEmail.stateful),
  api: Annotations.fromStack(withoutEmail.api),
  emailStateful: Annotations.fromStack(withEmail.stateful),
  emailApi: Annotations.fromStack(withEmail.api),
};

const stacks: [string, Annotations][] = [
  ['ThreadlineStateful', annotations.stateful],
  ['ThreadlineApi', annotations.api],
  ['ThreadlineStateful with email', annotations.emailStateful],
  ['ThreadlineApi with email', annotations.emailApi],
];

describe('cdk-nag AwsSolutions checks', () => {
  it.each(stacks)('leave no finding in %s without a written reason', (_name, stackAnnotations) => {
    const found = findings(stackAnnotations);
    expect(found, `unsuppressed cdk-nag findings:\n${found.join('\n')}`).toEqual([]);
  });

  it('suppress only the reviewed findings of the stateful stack, with or without email', () => {
    const expected = [
      'AwsSolutions-COG8 /ThreadlineStateful/AgentPool/Resource',
      'AwsSolutions-S1 /ThreadlineStateful/ExportsBucket/Resource',
      'AwsSolutions-S1 /ThreadlineStateful/InboundMailBucket/Resource',
      'AwsSolutions-SMG4 /ThreadlineStateful/ProviderSecret/Resource',
      'AwsSolutions-SMG4 /ThreadlineStateful/SigningSecret/Resource',
      'AwsSolutions-SQS3 /ThreadlineStateful/ChangeFeedFailuresQueue/Resource',
      'AwsSolutions-SQS3 /ThreadlineStateful/FailedEventsQueue/Resource',
    ];
    expect(suppressed(annotations.stateful)).toEqual(expected);
    expect(suppressed(annotations.emailStateful)).toEqual(expected);
  });

  it('suppress only the reviewed findings of the API stack', () => {
    const functions = [
      'AgentApi',
      'AgentMedia',
      'Events',
      'Live',
      'LiveStream',
      'Meta',
      'Resolver',
      'Sender',
      'Ses',
      'SesMail',
      'TwilioSms',
      'TwilioVoice',
      'Timers',
      'Webhooks',
      'Webchat',
      'WebchatLive',
      'WhatsApp',
    ];
    const webhookRoutes = [
      'GET--webhooks--meta',
      'GET--webhooks--whatsapp',
      'POST--webhooks--meta',
      'POST--webhooks--ses',
      'POST--webhooks--twilio--sms',
      'POST--webhooks--twilio--status',
      'POST--webhooks--twilio--voice',
      'POST--webhooks--twilio--voice--after-record',
      'POST--webhooks--twilio--voice--recording',
      'POST--webhooks--twilio--voice--status',
      'POST--webhooks--twilio--voice--transcription',
      'POST--webhooks--whatsapp',
    ];
    const expected = [
      ...[
        ...webhookRoutes,
        'ANY--api--{proxy+}',
        // The agent API's file routes (agent-media): the same bearer token, checked in the function.
        'GET--api--customers--{id}--timeline--{itemId}--attachments--{index}',
        'GET--api--customers--{id}--timeline--{itemId}--recording',
        'HEAD--api--customers--{id}--timeline--{itemId}--attachments--{index}',
        'HEAD--api--customers--{id}--timeline--{itemId}--recording',
        // Reply files: the upload takes the bearer token; the links are public, their random id the secret.
        'POST--api--uploads',
        'GET--files--{proxy+}',
        'HEAD--files--{proxy+}',
        'GET--csat--{token}',
        'POST--csat--{token}',
        'ANY--webchat--{proxy+}',
        'GET--console',
        'GET--console--{proxy+}',
      ].map((route) => `AwsSolutions-APIG4 /ThreadlineApi/HttpApi/${route}/Resource`),
      // The live socket checks the Cognito token of ?token= in the function on $connect.
      ...['$connect', '$default', '$disconnect'].map(
        (route) => `AwsSolutions-APIG4 /ThreadlineApi/LiveApi/${route}-Route/Resource`,
      ),
      // The visitors' WebSocket API: public by design, the session token checked on $connect.
      ...['$connect', '$default', '$disconnect'].map(
        (route) => `AwsSolutions-APIG4 /ThreadlineApi/WebchatLiveApi/${route}-Route/Resource`,
      ),
      // Wildcards: table indexes (bindTable), raw mail under inbound/, SES sending with the configuration
      // set, dynamodb:ListStreams (the stream event source), the schedules of the timers' own schedule group,
      // the live API's @connections (a socket is named at run time).
      ...[
        'AgentApi',
        'AgentMedia',
        'Events',
        'Live',
        'LiveStream',
        'Resolver',
        'Sender',
        'SesMail',
        'Timers',
        'Webhooks',
        'Webchat',
        'WebchatLive',
      ].map((fn) => `AwsSolutions-IAM5 /ThreadlineApi/${fn}/ServiceRole/DefaultPolicy/Resource`),
      ...functions.map((fn) => `AwsSolutions-L1 /ThreadlineApi/${fn}/Resource`),
    ].sort();
    expect(suppressed(annotations.api)).toEqual(expected);
    expect(suppressed(annotations.emailApi)).toEqual(expected);
  });
});
