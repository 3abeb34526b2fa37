import { getSecretString } from '#shared/aws/secrets-lite.js';
import type { OwnAccounts } from '#shared/channels/meta/own-accounts.js';
import type { MetaWebhookDeps } from '#shared/channels/meta/signed-webhook.js';
import type { TwilioWebhookDeps } from '#shared/channels/twilio/webhook-request.js';
import { type Config, requireSettings } from '#shared/config/config.js';
import { loadConfigWithSecrets, type SecretKey } from '#shared/config/secrets.js';
import { systemClock } from '#shared/domain/ports.js';
import type { Webhook } from '#shared/http/webhook.js';
import { sqsEnvelopeQueue } from './envelope-queue.js';
import { refreshOnRefusal } from './refresh-on-refusal.js';
import { lambdaWebhook } from './webhook-lambda.js';

/** A webhook's Lambda handler: API Gateway (HTTP API, payload 2.0) events straight to the webhook. */
export type WebhookHandler = ReturnType<typeof lambdaWebhook>;

/**
 * The configuration at cold start, the provider secrets (Secrets Manager) included; fails fast naming
 * every setting in `settings` that is missing. Of the secret, only the keys in `settings` and `uses`
 * must be right: a bad other key is logged and ignored (see loadConfigWithSecrets).
 */
export async function webhookConfig<K extends keyof Config>(
  settings: readonly K[],
  uses: readonly SecretKey[] = [],
) {
  const config = await loadConfigWithSecrets((id) => getSecretString(id), process.env, {
    uses: [...settings, ...uses],
  });
  return requireSettings(config, settings);
}

/**
 * A webhook signed with the Meta app secret (WhatsApp, Messenger and Instagram) as a Lambda handler;
 * `ownAccounts` picks our accounts from the configuration, `uses` the secret's keys it reads for them;
 * `create` is given the configuration too, for a setting of its own (META_AUTOMATION_APP_IDS).
 */
export async function metaWebhookHandler(
  create: (deps: MetaWebhookDeps, config: Config) => Webhook,
  ownAccounts: (config: Config) => OwnAccounts,
  uses: readonly SecretKey[] = [],
): Promise<WebhookHandler> {
  const build = async () => {
    const config = await webhookConfig(['INBOUND_QUEUE_URL', 'META_APP_SECRET', 'META_VERIFY_TOKEN'], uses);
    return lambdaWebhook(
      create(
        {
          queue: sqsEnvelopeQueue(config.INBOUND_QUEUE_URL),
          clock: systemClock,
          appSecret: config.META_APP_SECRET,
          verifyToken: config.META_VERIFY_TOKEN,
          maxBodyBytes: config.MAX_BODY_BYTES,
          ownAccounts: ownAccounts(config),
        },
        config,
      ),
    );
  };
  return refreshOnRefusal(await build(), build);
}

/** A webhook signed with the Twilio Auth Token (messaging) as a Lambda handler. */
export async function twilioWebhookHandler(
  create: (deps: TwilioWebhookDeps) => Webhook,
): Promise<WebhookHandler> {
  const build = async () => lambdaWebhook(create((await twilioDeps()).deps));
  return refreshOnRefusal(await build(), build);
}

/**
 * What every Twilio webhook needs, from the configuration at cold start (the Auth Tokens from the
 * secret: TWILIO_AUTH_TOKEN, and TWILIO_PREVIOUS_AUTH_TOKEN while a rotation is under way).
 */
export async function twilioDeps() {
  const config = await webhookConfig(
    ['INBOUND_QUEUE_URL', 'TWILIO_AUTH_TOKEN'],
    ['TWILIO_PREVIOUS_AUTH_TOKEN'],
  );
  const deps: TwilioWebhookDeps = {
    queue: sqsEnvelopeQueue(config.INBOUND_QUEUE_URL),
    clock: systemClock,
    authToken: config.TWILIO_AUTH_TOKEN,
    previousAuthToken: config.TWILIO_PREVIOUS_AUTH_TOKEN,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    maxBodyBytes: config.MAX_BODY_BYTES,
  };
  return { config, deps };
}
