import { describe, expect, it } from 'vitest';
import { dispositionOf, mediaSourceOf, referenceOfItemId, servedType } from '#shared/domain/media.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const item = (over: Partial<TimelineItem>): TimelineItem => ({
  id: 'x:1',
  type: 'message',
  at: '2026-12-01T09:00:00.000Z',
  customerId: 'cu_1',
  ...over,
});

describe('media: which provider keeps a file, and how it is served', () => {
  it.each([
    ['image/jpeg', 'image/jpeg', true],
    ['audio/ogg; codecs=opus', 'audio/ogg; codecs=opus', true],
    ['Audio/MPEG', 'audio/mpeg', true],
    ['video/mp4', 'video/mp4', true],
    ['image/svg+xml', 'application/octet-stream', false],
    ['text/html; charset=utf-8', 'application/octet-stream', false],
    ['application/pdf', 'application/octet-stream', false],
    ['', 'application/octet-stream', false],
    ['image/png\r\nx-evil: 1', 'application/octet-stream', false],
  ])('serves the provider type %j as %s (inline: %s)', (given, contentType, inline) => {
    expect(servedType(given)).toEqual({ contentType, inline });
  });

  it('names a downloaded file in a header-safe form, and an inline one not at all when it has no name', () => {
    expect(dispositionOf(true, undefined)).toBe('inline');
    expect(dispositionOf(false, 'faktura "1".pdf\r\n')).toBe(
      `attachment; filename="faktura _1_.pdf__"; filename*=UTF-8''faktura%20_1_.pdf__`,
    );
    expect(dispositionOf(false, 'Größe.pdf')).toBe(
      `attachment; filename="Gr__e.pdf"; filename*=UTF-8''Gr%C3%B6%C3%9Fe.pdf`,
    );
  });

  it.each([
    ['whatsapp:wamid.HBgL=', { channel: 'whatsapp', id: 'wamid.HBgL=' }],
    ['sms:SM1', { channel: 'sms', id: 'SM1' }],
    ['twilio:call:CA1:recording', { channel: 'voice', id: 'twilio:call:CA1:recording' }],
    ['note:1', undefined],
    ['whatsapp:', undefined],
    ['cu_1', undefined],
  ])('reads the provider reference of item id %s', (id, reference) => {
    expect(referenceOfItemId(id)).toEqual(reference);
  });

  it('finds a WhatsApp file by media id, a Twilio one by address, and none for email or web chat', () => {
    const photo = { kind: 'image' as const, mediaId: '77', url: 'https://lookaside.fbsbx.com/x' };
    expect(mediaSourceOf(item({ channel: 'whatsapp', attachments: [photo] }), { attachment: 0 })).toEqual({
      provider: 'whatsapp',
      mediaId: '77',
    });
    const mms = {
      kind: 'image' as const,
      url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
    };
    expect(mediaSourceOf(item({ channel: 'sms', attachments: [mms] }), { attachment: 0 })).toEqual({
      provider: 'twilio',
      url: mms.url,
      recording: false,
    });
    expect(mediaSourceOf(item({ channel: 'sms', attachments: [mms] }), { attachment: 1 })).toBeUndefined();
    expect(mediaSourceOf(item({ channel: 'email', attachments: [mms] }), { attachment: 0 })).toBeUndefined();
    expect(
      mediaSourceOf(item({ channel: 'webchat', attachments: [mms] }), { attachment: 0 }),
    ).toBeUndefined();
    const call = item({ channel: 'voice', type: 'event', data: { recordingUrl: mms.url } });
    expect(mediaSourceOf(call, 'recording')).toEqual({ provider: 'twilio', url: mms.url, recording: true });
    expect(
      mediaSourceOf(item({ channel: 'sms', data: { recordingUrl: mms.url } }), 'recording'),
    ).toBeUndefined();
  });
});
