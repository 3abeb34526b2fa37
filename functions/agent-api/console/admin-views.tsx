import type { Api } from './api.js';
import { useLazyView } from './lazy-view.js';
import { useWebhooksView } from './webhooks-button.js';

/**
 * Admins' header buttons and the views they open, each loaded on its first press: Webhooks, and Audit
 * (the audit log, `audit.tsx`).
 */
export function useAdminViews(api: Api) {
  const webhooks = useWebhooksView(api);
  const audit = useLazyView(api, 'Audit', 'audit log view', () => import('./audit.js').then((m) => m.Audit));
  return {
    buttons: (
      <>
        {webhooks.button}
        {audit.button}
      </>
    ),
    views: (
      <>
        {webhooks.view}
        {audit.view}
      </>
    ),
  };
}
