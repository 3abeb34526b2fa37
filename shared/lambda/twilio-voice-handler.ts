import type { TwilioVoiceWebhookDeps } from '#shared/channels/twilio/voice-webhook.js';
import { loadQueueRules } from '#shared/config/queue-hours-file.js';
import { voiceAnswers } from '#shared/config/voice-settings.js';
import type { QueueRules } from '#shared/domain/routing/queues.js';
import type { Webhook } from '#shared/http/webhook.js';
import { refreshOnRefusal } from './refresh-on-refusal.js';
import { twilioDeps, type WebhookHandler } from './webhook-handler.js';
import { lambdaWebhook } from './webhook-lambda.js';

// Apart from webhook-handler.ts, so that no other webhook's bundle takes the policy reader.

/**
 * The Twilio voice webhooks as a Lambda handler: also what callers hear (the VOICE_* settings) and the routing policy's queues and business hours,
 * read from its file once per cold start (a rebuild after a refused signature reads only the secret
 * again).
 */
export async function twilioVoiceWebhookHandler(
  create: (deps: TwilioVoiceWebhookDeps) => Webhook,
): Promise<WebhookHandler> {
  let policy: QueueRules | undefined;
  const build = async () => {
    const { config, deps } = await twilioDeps();
    policy ??= loadQueueRules(config.ROUTING_POLICY_FILE);
    return lambdaWebhook(
      create({
        ...deps,
        ...voiceAnswers(config),
        policy,
      }),
    );
  };
  return refreshOnRefusal(await build(), build);
}
