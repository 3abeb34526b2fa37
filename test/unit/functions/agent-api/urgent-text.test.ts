import { describe, expect, it } from 'vitest';
import type { InboxConversation } from '../../../../functions/agent-api/console/api.js';
import {
  arrivalOf,
  stillUrgent,
  turnedUrgent,
  urgentText,
  urgentTitle,
} from '../../../../functions/agent-api/console/urgent-text.js';

const row = (id: string, over: Partial<InboxConversation> = {}): InboxConversation =>
  ({
    id,
    customerId: `cust-${id}`,
    status: 'open',
    channel: 'whatsapp',
    channels: ['whatsapp'],
    waiting: true,
    customer: { id: `cust-${id}`, name: `Name ${id}` },
    ...over,
  }) as InboxConversation;

const urgent = (id: string, over: Partial<InboxConversation> = {}) =>
  row(id, { priority: 'urgent', ...over });

describe('urgent arrivals in the inbox’s view', () => {
  it('are the rows a live update listed urgent that were not listed urgent before: new, moved in or raised', () => {
    const before = [urgent('known'), row('raised'), row('calm')];
    const after = [urgent('known'), urgent('raised'), row('calm'), urgent('new')];
    const touched = new Set(['known', 'raised', 'calm', 'new']);
    expect(turnedUrgent(before, after, touched).map((c) => c.id)).toEqual(['raised', 'new']);
  });

  it('leave out a row the update did not name (brought up from a page not loaded), and one resolved or snoozed', () => {
    const after = [
      urgent('shifted'),
      urgent('resolved', { status: 'resolved' }),
      urgent('snoozed', { snoozedUntil: '2026-12-07T09:00:00.000Z' }),
    ];
    expect(turnedUrgent([], after, new Set(['resolved', 'snoozed']))).toEqual([]);
    expect(turnedUrgent([], [urgent('shifted')], new Set(['shifted'])).map((c) => c.id)).toEqual(['shifted']);
  });

  it('are said by name and first words, one after the other up to three, by name alone beyond', () => {
    const nia = arrivalOf(urgent('n', { customer: { id: 'c', name: 'Nia New' }, preview: 'My parcel' }));
    const bare = arrivalOf(urgent('b', { customer: undefined, customerId: 'cust-b' }));
    const insta = arrivalOf(
      urgent('i', { customer: { id: 'c', identity: { kind: 'instagram', value: 'IGSID-1' } } }),
    );
    expect(urgentText([nia])).toBe('Urgent: Nia New, My parcel');
    expect(urgentText([nia, bare, insta])).toBe('Urgent: Nia New, My parcel; cust-b; Instagram user');
    const five = [nia, bare, insta, { ...nia, id: 'x' }, { ...nia, id: 'y' }];
    expect(urgentText(five)).toBe('Urgent: 5 conversations: Nia New, cust-b, Instagram user and 2 more');
  });

  it('are named in the title while up, and stay up only while listed open and urgent', () => {
    const a = arrivalOf(urgent('a', { customer: { id: 'c', name: 'Ann' } }));
    const b = arrivalOf(urgent('b', { customer: { id: 'c', name: 'Ben' } }));
    expect(urgentTitle([])).toBe('');
    // The name isolated: a right-to-left one keeps to itself.
    expect(urgentTitle([a])).toBe('Urgent: \u2068Ann\u2069 · ');
    expect(urgentTitle([a, b])).toBe('Urgent: \u2068Ann\u2069 and 1 more · ');
    const rows = [urgent('a'), urgent('b', { status: 'resolved' })];
    expect(stillUrgent([a, b], rows)).toEqual([a]);
    expect(stillUrgent([a, b], [row('a')])).toEqual([]);
  });
});
