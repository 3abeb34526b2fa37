import type { AgentStore } from '#shared/domain/agent-ports.js';
import {
  dispositionOf,
  type MailFiles,
  MEDIA_MAX_BYTES,
  type MediaChoice,
  type MediaFetcher,
  type MediaFile,
  mediaSourceOf,
  servedType,
} from '#shared/domain/media.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { NotFoundError, UnavailableError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { existingCustomer } from './read-customer.js';

/** A file as the agent API answers it: its bytes, the type and disposition it is served with. */
export interface ServedMedia {
  body: Uint8Array;
  contentType: string;
  disposition: string;
}

const PROVIDER_NAMES = { whatsapp: 'WhatsApp', twilio: 'Twilio', meta: 'Meta', ses: 'SES' } as const;

/**
 * One file of one of the customer's timeline items (an attachment, a call's recording), fetched from
 * its provider now with Threadline's credentials and answered as a safe type: the customer (404, 410
 * while being erased), the item (404: not theirs, or a message the customer deleted), a file the
 * provider keeps for Threadline (404), then the provider's file, at most MEDIA_MAX_BYTES (413). An
 * email's file is read from the mail as received (`mailFiles`: 410 once its retention has passed).
 */
export async function readMedia(
  deps: {
    store: Pick<AgentStore, 'getCustomer' | 'customerItem'>;
    media?: MediaFetcher | undefined;
    mailFiles?: MailFiles | undefined;
  },
  request: { customerId: string; itemId: string; at?: string | undefined; choice: MediaChoice },
): Promise<ServedMedia> {
  const { customerId, itemId, at, choice } = request;
  await existingCustomer(deps, customerId);
  const item = await deps.store.customerItem(customerId, itemId, at);
  if (!item) throw new NotFoundError(`no item ${itemId} on this customer's timeline`);
  if (item.deleted)
    throw new NotFoundError('the customer deleted this message: its files are no longer held');
  const started = Date.now();
  const { file, provider } = await fileOf(deps, { ...request, item });
  const served = servedType(file.contentType);
  const attachment = choice === 'recording' ? undefined : item.attachments?.[choice.attachment];
  logger.info('media served', {
    customerId,
    channel: item.channel,
    providerMessageId: item.providerMessageId,
    provider: PROVIDER_NAMES[provider],
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

/** The chosen file: from the mail as received for an email's attachment, else from its provider. */
async function fileOf(
  deps: { media?: MediaFetcher | undefined; mailFiles?: MailFiles | undefined },
  request: {
    customerId: string;
    itemId: string;
    at?: string | undefined;
    choice: MediaChoice;
    item: TimelineItem;
  },
): Promise<{ file: MediaFile; provider: keyof typeof PROVIDER_NAMES }> {
  const { item, choice } = request;
  if (item.channel === 'email' && choice !== 'recording' && item.attachments?.[choice.attachment]) {
    if (!deps.mailFiles) throw new UnavailableError('this runtime reads no mail files');
    return {
      file: await deps.mailFiles.attachment(request, choice.attachment, MEDIA_MAX_BYTES),
      provider: 'ses',
    };
  }
  const source = mediaSourceOf(item, choice);
  if (!source) {
    const what = choice === 'recording' ? 'recording' : `attachment ${choice.attachment}`;
    throw new NotFoundError(`this item has no ${what} that a provider keeps for Threadline`);
  }
  if (!deps.media) throw new UnavailableError('this runtime fetches no provider files');
  return { file: await deps.media.fetch(source, MEDIA_MAX_BYTES), provider: source.provider };
}
