import { describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import { arrivalOf } from '#shared/domain/resolution.js';
import { inTimelineOrder, pageCut } from '#shared/store/timeline-order.js';

const T = '2026-12-05T10:00:00.000Z';
const row = (at: string, id: string, arrival?: number, tag = id) => ({
  sk: `TIMELINE#${at}#${id}`,
  arrival,
  tag,
});
const tags = (rows: ReadonlyArray<{ tag: string }>) => rows.map((r) => r.tag);

describe('timeline order within one second', () => {
  it('orders one time by arrival, then key; items without one (before, or ours) first, as before', () => {
    const rows = [
      row(T, 'whatsapp:wamid.A', 2_000),
      row(T, 'whatsapp:wamid.M', 3_000),
      row(T, 'whatsapp:wamid.Z', 1_000),
      row(T, 'whatsapp:wamid.B'),
      row('2026-12-05T10:00:00.001Z', 'reply:r1'),
      row('2026-12-05T09:59:59.000Z', 'whatsapp:wamid.Y', 9_999),
    ];
    expect(tags(inTimelineOrder(rows))).toEqual([
      'whatsapp:wamid.Y',
      'whatsapp:wamid.B',
      'whatsapp:wamid.Z',
      'whatsapp:wamid.A',
      'whatsapp:wamid.M',
      'reply:r1',
    ]);
    // Old items (no arrival) read in key order, as they did.
    const old = [row(T, 'b'), row(T, 'a'), row(T, 'c')];
    expect(tags(inTimelineOrder(old))).toEqual(['a', 'b', 'c']);
    // Two rows of one key (an AI reply and its decision) keep their order.
    const pair = [row(T, 'reply:r', undefined, 'decision'), row(T, 'reply:r', undefined, 'reply')];
    expect(tags(inTimelineOrder(pair))).toEqual(['decision', 'reply']);
  });

  it('puts a routing decision right after the item it decides, whatever their ids and arrivals', () => {
    // A voicemail (Twilio's time has milliseconds: no arrival) and its hand-off: "route:" sorted first by key.
    const at = '2026-12-05T10:00:00.412Z';
    const voicemail = [
      row(at, 'route:twilio:call:CA1:voicemail:RE1'),
      row(at, 'twilio:call:CA1:voicemail:RE1'),
      row(at, 'twilio:call:CA1:completed'),
    ];
    expect(tags(inTimelineOrder(voicemail))).toEqual([
      'twilio:call:CA1:completed',
      'twilio:call:CA1:voicemail:RE1',
      'route:twilio:call:CA1:voicemail:RE1',
    ]);
    // A WhatsApp message of one second has an arrival, its decision (ours) none: it sorted first.
    const whatsapp = [
      row(T, 'whatsapp:wamid.B', 2_000),
      row(T, 'route:whatsapp:wamid.A'),
      row(T, 'whatsapp:wamid.A', 1_000),
      row(T, 'route:whatsapp:wamid.B'),
    ];
    expect(tags(inTimelineOrder(whatsapp))).toEqual([
      'whatsapp:wamid.A',
      'route:whatsapp:wamid.A',
      'whatsapp:wamid.B',
      'route:whatsapp:wamid.B',
    ]);
    // A decision whose item is not among the rows (another page) keeps its place by key.
    expect(tags(inTimelineOrder([row(T, 'whatsapp:wamid.C', 5), row(T, 'route:whatsapp:wamid.A')]))).toEqual([
      'route:whatsapp:wamid.A',
      'whatsapp:wamid.C',
    ]);
  });

  it('ends a page before a second it would cut, unless the second fills the page', () => {
    const keyed = [row('2026-12-05T09:00:00.000Z', 'h'), row(T, 'a', 2), row(T, 'm', 3), row(T, 'z', 1)];
    expect(tags(pageCut(keyed, 2))).toEqual(['h']);
    expect(tags(pageCut(keyed, 4))).toEqual(['h', 'a', 'm', 'z']);
    // A second larger than the page is cut between keys (read in key order across the pages).
    expect(tags(pageCut(keyed.slice(1), 2))).toEqual(['a', 'm']);
    // Nor between two rows of one key.
    const pair = [row(T, 'r', undefined, 'x'), row(T, 'r', undefined, 'y'), row(T, 's')];
    expect(tags(pageCut(pair, 1))).toEqual(['x', 'y']);
  });

  it('gives whole-second times their arrival: the webhook time, then the place in its body', () => {
    const base = {
      occurredAt: T,
      receivedAt: '2026-12-05T10:00:01.250Z',
      rawRef: 'whatsapp:abc#/entry/0/changes/0/value/messages/3',
    } as Envelope;
    expect(arrivalOf(base)).toBe(Date.parse(base.receivedAt) * 1000 + 3);
    expect(arrivalOf({ ...base, occurredAt: '2026-12-05T10:00:00.123Z' })).toBeUndefined();
    expect(arrivalOf({ ...base, rawRef: 'twilio:abc#' })).toBe(Date.parse(base.receivedAt) * 1000);
  });
});
