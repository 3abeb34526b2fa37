import { describe, expect, it } from 'vitest';
import { isEchoOfPendingReply } from '#shared/domain/resolution.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const placedAt = '2026-12-05T10:00:00.000Z';
const reply: TimelineItem = {
  id: 'reply:r_1',
  type: 'message',
  direction: 'outbound',
  channel: 'instagram',
  customerId: 'cu_1',
  at: placedAt,
  text: 'Yes, two left.',
  status: 'queued',
};
const echo: TimelineItem = {
  id: 'instagram:ig_mid_1',
  type: 'message',
  direction: 'outbound',
  channel: 'instagram',
  customerId: 'cu_1',
  at: '2026-12-05T10:00:01.200Z',
  text: 'Yes, two left.',
  providerMessageId: 'ig_mid_1',
};

describe('isEchoOfPendingReply', () => {
  it('takes our reply in the middle of its send, with the echo’s content, before the echo', () => {
    expect(isEchoOfPendingReply(echo, { item: reply, placedAt })).toBe(true);
    // Meta's clock a little behind ours.
    expect(isEchoOfPendingReply({ ...echo, at: '2026-12-05T09:59:57.000Z' }, { item: reply, placedAt })).toBe(
      true,
    );
  });

  it('takes nothing else', () => {
    const no = (item: Partial<TimelineItem>, at = echo.at) =>
      expect(isEchoOfPendingReply({ ...echo, at }, { item: { ...reply, ...item }, placedAt })).toBe(false);
    no({ status: 'sent' });
    no({ providerMessageId: 'ig_other' });
    no({ text: 'Yes, one left.' });
    no({ channel: 'messenger' });
    no({ id: 'instagram:ig_person' });
    no({ direction: 'inbound' });
    no({ attachments: [{ kind: 'image', url: 'https://example.com/a.png' }] });
    no({}, '2026-12-05T10:20:00.000Z');
    no({}, '2026-12-05T09:59:50.000Z');
  });
});
