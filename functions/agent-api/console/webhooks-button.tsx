import type { Api } from './api.js';
import { useLazyView } from './lazy-view.js';

/** Admins' Webhooks button, and the view it opens (`webhooks.tsx`, loaded on the first press). */
export const useWebhooksView = (api: Api) =>
  useLazyView(api, 'Webhooks', 'webhooks view', () => import('./webhooks.js').then((m) => m.Webhooks));
