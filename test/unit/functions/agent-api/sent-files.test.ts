import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { filesOf, nameFromUrl } from '../../../../functions/agent-api/console/sent-files.js';

const reply = (data: Record<string, unknown>): TimelineItem => ({
  id: 'reply:r1',
  type: 'message',
  direction: 'outbound',
  channel: 'sms',
  at: '2026-12-06T10:00:00.000Z',
  customerId: 'cu_1',
  data,
});

describe("a reply's files", () => {
  it('reads them from data.attachments, named by the name given or the end of the address', () => {
    const item = reply({
      attachments: [
        { url: 'https://example.com/docs/label.pdf' },
        { url: 'https://example.com/p.jpg', kind: 'image', filename: 'parcel.jpg', mimeType: 'image/jpeg' },
      ],
    });
    expect(filesOf(item)).toEqual([
      { kind: 'file', url: 'https://example.com/docs/label.pdf', filename: 'label.pdf' },
      { kind: 'image', url: 'https://example.com/p.jpg', filename: 'parcel.jpg', mimeType: 'image/jpeg' },
    ]);
  });

  it('skips what is no file, and reads nothing from data of a customer message', () => {
    expect(filesOf(reply({ attachments: [null, 'x', { kind: 'image' }, { url: 7 }] }))).toEqual([]);
    expect(
      filesOf({ ...reply({ attachments: [{ url: 'https://e.com/a' }] }), direction: 'inbound' }),
    ).toEqual([]);
    expect(filesOf(reply({}))).toEqual([]);
  });

  it('keeps a kind it does not know as a file, and decodes the name', () => {
    expect(filesOf(reply({ attachments: [{ url: 'https://e.com/My%20Invoice.pdf', kind: 'x' }] }))).toEqual([
      { kind: 'file', url: 'https://e.com/My%20Invoice.pdf', filename: 'My Invoice.pdf' },
    ]);
    expect(nameFromUrl('https://e.com/')).toBeUndefined();
    expect(nameFromUrl('https://e.com/%E0%A4%A')).toBe('%E0%A4%A');
    expect(nameFromUrl('not a url')).toBeUndefined();
  });
});
