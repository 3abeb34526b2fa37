import { createWebhooksHandler } from '#shared/lambda/events-handler.js';

/** The webhook delivery queue → signed POSTs to integrators' endpoints. */
export const handler = createWebhooksHandler();
