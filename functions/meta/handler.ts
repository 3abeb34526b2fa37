import { createMetaWebhook } from '#shared/channels/meta/webhook.js';
import { metaWebhookHandler } from '#shared/lambda/webhook-handler.js';

/** API Gateway (HTTP API, payload 2.0) events straight to the webhook: no SDK, no Hono on this path. */
export const handler = await metaWebhookHandler(
  (deps, config) => createMetaWebhook({ ...deps, automationAppIds: config.META_AUTOMATION_APP_IDS }),
  (config) => ({ messenger: config.META_PAGE_ID, instagram: config.META_INSTAGRAM_ACCOUNT_ID }),
);
