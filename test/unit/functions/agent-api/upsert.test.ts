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

describe('the console follows a redriven reply the sender gave up on', () => {
  const gaveUp = [{ code: 'gave_up', title: 'no answer from the provider' }];
  const failed = (statusAt: string, errors = gaveUp) => ({ ...reply('failed', statusAt), errors });
  const at = (s: number) => `2026-12-04T10:0${s}:00.000Z`;

  it('moves failed back to queued when the redrive claims it, then on to sent, its errors gone', () => {
    const shown = upsert([], failed(at(1)));
    const queued = upsert(shown, reply('queued', at(5)));
    expect(queued[0]).toMatchObject({ status: 'queued', statusAt: at(5) });
    expect(queued[0]?.errors).toBeUndefined();
    const sent = upsert(queued, reply('sent', at(6)));
    expect(sent[0]).toMatchObject({ status: 'sent', statusAt: at(6) });
    expect(upsert(sent, reply('read', at(8)))[0]).toMatchObject({ status: 'read' });
  });

  it('takes sent straight after the failure when the queued event comes second, and keeps it', () => {
    const sent = upsert(upsert([], failed(at(1))), reply('sent', at(6)));
    expect(sent[0]).toMatchObject({ status: 'sent', statusAt: at(6) });
    expect(upsert(sent, reply('queued', at(5)))[0]).toMatchObject({ status: 'sent', statusAt: at(6) });
  });

  it('keeps the redriven status when the old failure comes late (a page read before the redrive)', () => {
    const sent = upsert(upsert([], failed(at(1))), reply('sent', at(6)));
    const stale = upsert(sent, failed(at(1)));
    expect(stale[0]).toMatchObject({ status: 'sent', statusAt: at(6) });
    expect(stale[0]?.errors).toBeUndefined();
    const queued = upsert(upsert([], reply('queued', at(5))), failed(at(1)));
    expect(queued[0]).toMatchObject({ status: 'queued', statusAt: at(5) });
  });

  it('shows the redriven reply failed again when its new attempts give up too', () => {
    const queued = upsert(upsert([], failed(at(1))), reply('queued', at(5)));
    const again = upsert(queued, failed(at(7)));
    expect(again[0]).toMatchObject({ status: 'failed', statusAt: at(7), errors: gaveUp });
  });

  it('keeps a failure from before the redrive: the first send queued, or one with no time', () => {
    const shown = upsert([], failed(at(1)));
    expect(upsert(shown, reply('queued', at(0)))[0]).toMatchObject({ status: 'failed', errors: gaveUp });
    const untimed = { ...reply('queued', at(5)), statusAt: undefined };
    expect(upsert(shown, untimed)[0]).toMatchObject({ status: 'failed', errors: gaveUp });
  });

  it('keeps a reply the provider refused failed, whatever time a lower status carries', () => {
    const refused = [{ code: '131026', title: 'not a WhatsApp number' }];
    const shown = upsert([], failed(at(1), refused));
    for (const status of ['queued', 'sent', 'delivered'] as const)
      expect(upsert(shown, reply(status, at(5)))[0]).toMatchObject({ status: 'failed', errors: refused });
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
