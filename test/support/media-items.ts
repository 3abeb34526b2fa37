import type { TimelineItem } from '#shared/domain/timeline.js';

/** Dana's WhatsApp Cloud API photo message: a photo and a document, each named by its media id. */
export const PHOTO: TimelineItem = {
  id: 'whatsapp:wamid.P1',
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  at: '2026-12-01T09:30:00.000Z',
  customerId: 'cu_dana',
  providerMessageId: 'wamid.P1',
  contentType: 'image',
  attachments: [
    { kind: 'image', mediaId: '1111', mimeType: 'image/jpeg' },
    { kind: 'document', mediaId: '2222', filename: 'invoice "march".html' },
  ],
};
