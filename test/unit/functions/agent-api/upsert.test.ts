import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { upsert, withEarlier } from '../../../../functions/agent-api/console/upsert.js';

const reply = (status: TimelineItem['status'], statusAt: string): TimelineItem => ({
  id: 'r1',
  customerId: 'c1',
  type: 'message',
  direction: 'outbound',
  channel: 'whatsapp',
  text: 'Yes: it ships today.',
  at: '2026-12-04T10:00:00.000Z',
  status,
  statusAt,
});

describe('the console puts a live item in place', () => {
  it('keeps a sent status when the reply POST answer (queued) arrives after the live event', () => {
    const live = upsert([], reply('sent', '2026-12-04T10:00:01.000Z'));
    const after = upsert(live, reply('queued', '2026-12-04T10:00:00.000Z'));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ status: 'sent', statusAt: '2026-12-04T10:00:01.000Z' });
  });

  it('moves a status forward, and takes the later view of everything else', () => {
    const first = upsert([], reply('sent', '2026-12-04T10:00:01.000Z'));
    const read = upsert(first, { ...reply('read', '2026-12-04T10:00:05.000Z'), text: 'edited' });
    expect(read[0]).toMatchObject({ status: 'read', statusAt: '2026-12-04T10:00:05.000Z', text: 'edited' });
    const late = upsert(read, { ...reply('delivered', '2026-12-04T10:00:03.000Z'), text: 'edited twice' });
    expect(late[0]).toMatchObject({
      status: 'read',
      statusAt: '2026-12-04T10:00:05.000Z',
      text: 'edited twice',
    });
  });

  it('keeps a failed email failed when its delivered notification comes second, with its errors', () => {
    const errors = [{ code: '550', title: 'mailbox unavailable' }];
    const failed = upsert([], { ...reply('failed', '2026-12-04T10:00:04.000Z'), errors });
    const late = upsert(failed, reply('delivered', '2026-12-04T10:00:02.000Z'));
    expect(late[0]).toMatchObject({ status: 'failed', errors });
  });
});

describe('the console joins an earlier page to the items shown', () => {
  const message = (id: string, channel: TimelineItem['channel'], at: string): TimelineItem => ({
    id,
    customerId: 'c1',
    type: 'message',
    direction: 'inbound',
    channel,
    text: id,
    at: `2026-12-04T10:00:0${at}.000Z`,
  });

  it('puts the page first, each item once, with the channel switch at the join', () => {
    const shown = [message('b', 'sms', '2'), message('c', 'sms', '3')];
    const older = [message('a', 'whatsapp', '1'), message('b', 'sms', '2')];
    const joined = withEarlier(older, shown);
    expect(joined.map((i) => i.id)).toEqual(['a', 'switch:b', 'b', 'c']);
    expect(joined[1]).toMatchObject({ event: 'channel_switch', data: { from: 'whatsapp', to: 'sms' } });
    expect(withEarlier([], joined).map((i) => i.id)).toEqual(['a', 'switch:b', 'b', 'c']);
  });

  it('adds no switch when the channel stays the same', () => {
    const joined = withEarlier([message('a', 'sms', '1')], [message('b', 'sms', '2')]);
    expect(joined.map((i) => i.id)).toEqual(['a', 'b']);
  });
});
