import type { AgentStore } from '#shared/domain/agent-ports.js';
import {
  dispositionOf,
  MEDIA_MAX_BYTES,
  type MediaChoice,
  type MediaFetcher,
  mediaSourceOf,
  servedType,
} from '#shared/domain/media.js';
import { NotFoundError, UnavailableError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { existingCustomer } from './read-customer.js';

/** A file as the agent API answers it: its bytes, the type and disposition it is served with. */
export interface ServedMedia {
  body: Uint8Array;
  contentType: string;
  disposition: string;
}

const PROVIDER_NAMES = { whatsapp: 'WhatsApp', twilio: 'Twilio', meta: 'Meta' } as const;

/**
 * One file of one of the customer's timeline items (an attachment, a call's recording), fetched from
 * its provider now with Threadline's credentials and answered as a safe type: the customer (404, 410
 * while being erased), the item (404: not theirs, or a message the customer deleted), a file the
 * provider keeps for Threadline (404), then the provider's file, at most MEDIA_MAX_BYTES (413).
 */
export async function readMedia(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'customerItem'>; media?: MediaFetcher | undefined },
  request: { customerId: string; itemId: string; at?: string | undefined; choice: MediaChoice },
): Promise<ServedMedia> {
  const { customerId, itemId, at, choice } = request;
  await existingCustomer(deps, customerId);
  const item = await deps.store.customerItem(customerId, itemId, at);
  if (!item) throw new NotFoundError(`no item ${itemId} on this customer's timeline`);
  if (item.deleted)
    throw new NotFoundError('the customer deleted this message: its files are no longer held');
  const source = mediaSourceOf(item, choice);
  if (!source) {
    const what = choice === 'recording' ? 'recording' : `attachment ${choice.attachment}`;
    throw new NotFoundError(`this item has no ${what} that a provider keeps for Threadline`);
  }
  if (!deps.media) throw new UnavailableError('this runtime fetches no provider files');
  const started = Date.now();
  const file = await deps.media.fetch(source, MEDIA_MAX_BYTES);
  const served = servedType(file.contentType);
  const attachment = choice === 'recording' ? undefined : item.attachments?.[choice.attachment];
  logger.info('media served', {
    customerId,
    channel: item.channel,
    providerMessageId: item.providerMessageId,
    provider: PROVIDER_NAMES[source.provider],
    bytes: file.body.byteLength,
    inline: served.inline,
    ms: Date.now() - started,
  });
  return {
    body: file.body,
    contentType: served.contentType,
    disposition: dispositionOf(served.inline, attachment?.filename),
  };
}
