import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Page } from '#shared/domain/paging.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import type { Delivery, DeliveryStatus } from '#shared/domain/webhooks.js';
import { NotFoundError } from '#shared/errors.js';

/**
 * A subscription's delivery log, newest first: status, attempts, last error; without the payloads.
 * With `status`, only deliveries in it (`failed`: those given up on), read as a filter over the log.
 */
export async function listWebhookDeliveries(
  deps: { webhooks: Pick<WebhookStore, 'getSubscription' | 'listDeliveries'>; cursors: PageCursors },
  id: string,
  page: { limit: number; cursor?: string | undefined; status?: DeliveryStatus | undefined },
): Promise<Page<Omit<Delivery, 'event'>>> {
  if (!(await deps.webhooks.getSubscription(id))) throw new NotFoundError(`no webhook ${id}`);
  const scope = ['webhook-deliveries', id, page.status] as const;
  const cursor = deps.cursors.open(page.cursor, scope);
  const found = await deps.webhooks.listDeliveries(id, { ...page, cursor });
  return {
    items: found.items.map(({ event: _payload, ...rest }) => rest),
    cursor: deps.cursors.seal(found.cursor, scope),
  };
}
