import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { webhooks } from '../../stacks/webhook-functions.js';
import { appWith, executeApiUrlOf } from '../support/cdk-app.js';

// Twilio's functions check signatures over PUBLIC_BASE_URL: a webhook URL output on the execute-api
// host, pasted into Twilio, has every request refused (403) once `publicBaseUrl` is set.

function outputsWith(context: Record<string, unknown>) {
  const app = appWith(context);
  const stateful = new StatefulStack(app, 'ThreadlineStateful');
  const stack = new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful));
  return { stack, outputs: Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }> };
}

const webhookOutputs = webhooks.flatMap((webhook) =>
  webhook.routes.flatMap((route) => (route.output ? [[route.output, route.path] as const] : [])),
);

describe('the webhook URL outputs', () => {
  const configured = outputsWith({ publicBaseUrl: 'https://support-api.example.com/' });
  const plain = outputsWith({});

  it('include the Twilio SMS, status, voice and voice status URLs', () => {
    expect(webhookOutputs.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'TwilioSmsWebhookUrl',
        'TwilioStatusCallbackUrl',
        'TwilioVoiceWebhookUrl',
        'TwilioVoiceStatusCallbackUrl',
      ]),
    );
  });

  it.each(webhookOutputs)('give %s on the `publicBaseUrl` origin when it is set', (name, path) => {
    expect(configured.outputs[name]?.Value).toBe(`https://support-api.example.com${path}`);
  });

  it.each(webhookOutputs)('give %s on the execute-api URL without it', (name, path) => {
    expect(plain.outputs[name]?.Value).toEqual({
      'Fn::Join': [
        '',
        [...(executeApiUrlOf(plain.stack) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1], path],
      ],
    });
  });

  it('keep ApiUrl the API’s own URL, the one that works whatever is in front of it', () => {
    expect(JSON.stringify(configured.outputs.ApiUrl?.Value)).toContain('execute-api');
  });
});
