import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { eventsOfChange } from '#shared/domain/events/map-change.js';

const AT = '2026-12-03T10:00:00.000Z';
const change = (
  kind: ChangeRecord['kind'],
  newImage: Record<string, unknown> | undefined,
  oldImage?: Record<string, unknown>,
  id = 'rec-1',
): ChangeRecord => ({
  id,
  kind,
  keys: { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#x' },
  ...(newImage ? { newImage } : {}),
  ...(oldImage ? { oldImage } : {}),
  sequence: '1',
  at: AT,
});
const inbound = {
  entity: 'timeline',
  id: 'whatsapp:wamid.1',
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  text: 'Where is my order?',
  at: '2026-12-03T09:59:00.000Z',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  from: { kind: 'phone', value: '+447700900555' },
  raw: '{"secret":"payload"}',
  attachments: [{ kind: 'image', url: 'https://media.example/1', mediaId: 'm1', mimeType: 'image/jpeg' }],
};
const outbound = {
  ...inbound,
  id: 'reply:rp_1',
  direction: 'outbound',
  status: 'queued',
  data: { author: { kind: 'agent', id: 'ana' } },
};
const conversation = {
  entity: 'conversation',
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  channel: 'whatsapp',
  createdAt: AT,
};

describe('eventsOfChange', () => {
  it('makes message.received of an inbound message, without contact data, raw payloads or media links', () => {
    const [event, ...rest] = eventsOfChange(change('insert', inbound));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'message.received',
      timestamp: inbound.at,
      data: {
        customerId: 'cu_1',
        conversationId: 'cv_1',
        messageId: 'whatsapp:wamid.1',
        text: 'Where is my order?',
        attachments: [{ kind: 'image', mimeType: 'image/jpeg' }],
      },
    });
    const json = JSON.stringify(event);
    for (const secret of ['+447700900555', 'payload', 'media.example', 'm1'])
      expect(json).not.toContain(secret);
  });

  it('makes message.sent of an outbound message, with its author kind and status', () => {
    expect(eventsOfChange(change('insert', outbound))).toMatchObject([
      { type: 'message.sent', data: { author: 'agent', status: 'queued', direction: 'outbound' } },
    ]);
  });

  it('makes message.status when the status moves, once per status, without the text', () => {
    const moved = change('modify', { ...outbound, status: 'delivered', statusAt: AT }, outbound);
    const [event] = eventsOfChange(moved);
    expect(event).toMatchObject({
      type: 'message.status',
      data: { status: 'delivered', previousStatus: 'queued' },
    });
    expect(event?.data).not.toHaveProperty('text');
    expect(eventsOfChange({ ...moved, id: 'rec-2' })[0]?.id).toBe(event?.id);
    expect(eventsOfChange(change('modify', { ...outbound, sendLeaseUntil: AT }, outbound))).toEqual([]);
  });

  it('leaves out of an event a value outside its closed set (a damaged item), rather than publish it', () => {
    const damaged = {
      ...outbound,
      channel: 'fax',
      contentType: 'hologram',
      data: { author: { kind: 'bot' } },
    };
    const [sent] = eventsOfChange(change('insert', { ...damaged, attachments: [{ kind: 'blob' }] }));
    const data = JSON.parse(JSON.stringify(sent?.data)) as Record<string, unknown>;
    expect(data).not.toHaveProperty('channel');
    expect(data).not.toHaveProperty('contentType');
    expect(data).not.toHaveProperty('author');
    expect(data.attachments).toEqual([{ kind: 'file' }]);
    expect(eventsOfChange(change('modify', { ...outbound, status: 'lost' }, outbound))).toEqual([]);
  });

  it('times conversation.assigned by the assignment itself, not by when the change feed read it', () => {
    const assignedAt = '2026-12-03T10:05:00.000Z';
    const [assigned] = eventsOfChange(
      change('modify', { ...conversation, assignee: 'ana', queue: 'billing', assignedAt }, conversation),
    );
    expect(assigned).toMatchObject({ type: 'conversation.assigned', timestamp: assignedAt });
    // One assigned before assignments were timed keeps the change's time.
    const [older] = eventsOfChange(change('modify', { ...conversation, assignee: 'ana' }, conversation));
    expect(older?.timestamp).toBe(AT);
  });

  it('never times an assignment before the opening it follows (a hand-off placed after a late message)', () => {
    // A hand-off is placed a millisecond after its message, which WhatsApp times hours back for a
    // phone that was offline; the conversation opened when we received it.
    const assignedAt = '2026-12-03T08:00:00.001Z';
    const opened = eventsOfChange(
      change('insert', { ...conversation, assignee: 'ana', queue: 'billing', assignedAt }),
    );
    const at = Object.fromEntries(opened.map((e) => [e.type, e.timestamp]));
    expect(at).toEqual({ 'conversation.opened': AT, 'conversation.assigned': AT });
    const later = eventsOfChange(
      change('modify', { ...conversation, assignee: 'ana', queue: 'billing', assignedAt }, conversation),
    );
    expect(later.map((e) => [e.type, e.timestamp])).toEqual([['conversation.assigned', AT]]);
    // A reopen's hand-off: not before the reopen's own event.
    const resolved = { ...conversation, status: 'resolved', resolvedAt: '2026-12-03T11:00:00.000Z' };
    const reopenedAt = '2026-12-03T12:00:00.000Z';
    const reopen = eventsOfChange(
      change(
        'modify',
        { ...conversation, reopenedAt, assignee: 'ana', assignedAt: '2026-12-03T11:30:00.001Z' },
        resolved,
      ),
    );
    expect(reopen.map((e) => [e.type, e.timestamp])).toEqual([
      ['conversation.opened', reopenedAt],
      ['conversation.assigned', reopenedAt],
    ]);
  });

  describe('a reopen: timed when it happened, one event per reopen', () => {
    const resolved = { ...conversation, status: 'resolved', resolvedAt: '2026-12-03T09:58:00.000Z' };
    const opened = (item: Record<string, unknown>, id = 'rec-1') =>
      eventsOfChange(change('modify', item, resolved, id)).find((e) => e.type === 'conversation.opened');

    it("an unmerge's reopen: at its reopenedAt, not the old wait it kept (which was before the resolve)", () => {
      const reopenedAt = '2026-12-03T09:59:30.000Z';
      const event = opened({ ...conversation, waitingSince: '2026-12-03T09:50:00.000Z', reopenedAt });
      expect(event).toMatchObject({ timestamp: reopenedAt, data: { openedAt: reopenedAt, reopened: true } });
    });

    it('a late message timed before the resolve: no earlier than the resolve, at the write', () => {
      const event = opened({ ...conversation, waitingSince: '2026-12-03T09:57:00.000Z' });
      expect(event).toMatchObject({ timestamp: AT, data: { openedAt: AT } });
    });

    it('a new message: at the message, as before', () => {
      const waitingSince = '2026-12-03T09:59:00.000Z';
      expect(opened({ ...conversation, waitingSince })).toMatchObject({ timestamp: waitingSince });
    });

    it('a second reopen keeping the same wait is a new event; the same reopen delivered again is not', () => {
      const waitingSince = '2026-12-03T09:50:00.000Z';
      const first = opened({ ...conversation, waitingSince, reopenedAt: '2026-12-03T09:59:30.000Z' });
      const again = opened(
        { ...conversation, waitingSince, reopenedAt: '2026-12-03T09:59:30.000Z' },
        'rec-9',
      );
      const second = opened(
        { ...conversation, waitingSince, reopenedAt: '2026-12-03T09:59:50.000Z' },
        'rec-2',
      );
      expect(again?.id).toBe(first?.id);
      expect(second?.id).not.toBe(first?.id);
    });
  });

  it('gives a change delivered again the same event id', () => {
    const first = eventsOfChange(change('insert', inbound, undefined, 'a'));
    const again = eventsOfChange(change('insert', inbound, undefined, 'b'));
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
  });

  it.each([
    ['a new conversation', change('insert', conversation), ['conversation.opened']],
    [
      'a reopened conversation',
      change('modify', { ...conversation, waitingSince: AT }, { ...conversation, status: 'resolved' }),
      ['conversation.opened'],
    ],
    [
      'a resolution',
      change(
        'modify',
        { ...conversation, status: 'resolved', resolvedAt: AT, resolvedBy: 'ana' },
        conversation,
      ),
      ['conversation.resolved'],
    ],
    [
      'an assignment',
      change('modify', { ...conversation, assignee: 'ana' }, conversation),
      ['conversation.assigned'],
    ],
    [
      'a touch that changes neither',
      change('modify', { ...conversation, lastMessageAt: AT }, conversation),
      [],
    ],
    [
      'a new customer',
      change('insert', { entity: 'customer', id: 'cu_1', createdAt: AT, channels: new Set(['whatsapp']) }),
      ['customer.created'],
    ],
    [
      'a merge',
      change(
        'modify',
        { entity: 'customer', id: 'cu_2', mergedInto: 'cu_1', mergedAt: AT },
        { entity: 'customer', id: 'cu_2' },
      ),
      ['customer.merged'],
    ],
    [
      'an unmerge',
      change(
        'modify',
        { entity: 'customer', id: 'cu_2', unmergedAt: AT, unmergedBy: 'zoe', unmergingFrom: 'cu_1' },
        { entity: 'customer', id: 'cu_2', mergedInto: 'cu_1', mergedAt: AT },
      ),
      ['customer.unmerged'],
    ],
    [
      'a message moved to its customer by an unmerge',
      change('insert', { ...inbound, customerId: 'cu_2', movedFrom: 'cu_1' }),
      [],
    ],
    [
      'an erasure',
      change(
        'modify',
        { entity: 'erased_customer', id: 'cu_1', erasedAt: AT },
        { entity: 'customer', id: 'cu_1' },
      ),
      ['customer.erased'],
    ],
    ['a removal', change('remove', undefined, inbound), []],
    ['a note', change('insert', { ...inbound, type: 'note' }), []],
    ['an audit record', change('insert', { entity: 'audit', id: 'au_1' }), []],
  ])('maps %s', (_name, record, types) => {
    expect(eventsOfChange(record).map((e) => e.type)).toEqual(types);
  });

  it('says which customer was unmerged from which, when and by whom, with one id however often it comes', () => {
    const record = change(
      'modify',
      { entity: 'customer', id: 'cu_2', unmergedAt: AT, unmergedBy: 'zoe' },
      { entity: 'customer', id: 'cu_2', mergedInto: 'cu_1', mergedAt: AT },
    );
    const [event] = eventsOfChange(record);
    expect(event).toMatchObject({
      type: 'customer.unmerged',
      timestamp: AT,
      data: { customerId: 'cu_2', unmergedFrom: 'cu_1', unmergedAt: AT, by: 'zoe' },
    });
    expect(eventsOfChange({ ...record, id: 'rec-2' })[0]?.id).toBe(event?.id);
  });

  it('says who the conversation was assigned to and who had it', () => {
    const [event] = eventsOfChange(
      change(
        'modify',
        { ...conversation, assignee: 'bo', queue: 'billing' },
        { ...conversation, assignee: 'ana' },
      ),
    );
    expect(event?.data).toMatchObject({
      assignee: { agentId: 'bo', queue: 'billing' },
      previous: { agentId: 'ana', queue: null },
    });
  });

  const breach = {
    entity: 'timeline',
    id: 'sla_breached:cv_1:firstResponse:2026-12-03T10:15:00.000Z',
    type: 'event',
    event: 'sla_breached',
    at: '2026-12-03T10:15:00.000Z',
    customerId: 'cu_1',
    conversationId: 'cv_1',
    data: {
      conversationId: 'cv_1',
      metric: 'firstResponse',
      due: '2026-12-03T10:15:00.000Z',
      policy: 'vip',
    },
  };

  it('makes sla.breached of the clock’s breach event: ids, metric, due, policy and time only', () => {
    const record = {
      ...change('insert', breach),
      keys: { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${breach.id}` },
    };
    const [event, ...rest] = eventsOfChange(record);
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'sla.breached',
      timestamp: breach.at,
      data: {
        customerId: 'cu_1',
        conversationId: 'cv_1',
        metric: 'firstResponse',
        due: breach.at,
        policy: 'vip',
        at: breach.at,
      },
    });
    // The same breach written again makes the same event id; a rewrite of it, or a warning, makes none.
    expect(eventsOfChange({ ...record, id: 'rec-2' })[0]?.id).toBe(event?.id);
    expect(eventsOfChange(change('modify', breach, breach))).toEqual([]);
    // A warning is sla.warning, its own id; a rewrite of it makes none.
    const warning = { ...breach, id: breach.id.replace('sla_breached', 'sla_warning'), event: 'sla_warning' };
    const warned = eventsOfChange({ ...record, newImage: warning, keys: { ...record.keys, sk: warning.id } });
    expect(warned).toEqual([{ ...event, id: expect.stringMatching(/^evt_/), type: 'sla.warning' }]);
    expect(warned[0]?.id).not.toBe(event?.id);
    expect(eventsOfChange(change('modify', warning, warning))).toEqual([]);
    expect(eventsOfChange(change('insert', { ...breach, data: { due: breach.at } }))).toEqual([]);
  });

  it('makes conversation.snoozed and conversation.woke of the snooze events: until when, who, what ended it', () => {
    const at = '2026-12-03T10:20:00.000Z';
    const until = '2026-12-03T11:00:00.000Z';
    const snoozed = {
      entity: 'timeline',
      id: `snoozed:cv_1:${until}`,
      type: 'event',
      event: 'snoozed',
      at,
      customerId: 'cu_1',
      conversationId: 'cv_1',
      data: { conversationId: 'cv_1', until, by: 'ana' },
    };
    const woke = {
      ...snoozed,
      id: `woke:cv_1:${until}`,
      event: 'woke',
      at: until,
      data: { conversationId: 'cv_1', snoozedUntil: until, reason: 'customer' },
    };
    const [asleep, ...none] = eventsOfChange(change('insert', snoozed));
    expect(none).toEqual([]);
    expect(asleep).toMatchObject({
      type: 'conversation.snoozed',
      timestamp: at,
      data: { customerId: 'cu_1', conversationId: 'cv_1', until, by: 'ana', snoozedAt: at },
    });
    const [awake] = eventsOfChange(change('insert', woke));
    expect(awake).toMatchObject({
      type: 'conversation.woke',
      timestamp: until,
      data: {
        customerId: 'cu_1',
        conversationId: 'cv_1',
        snoozedUntil: until,
        reason: 'customer',
        wokeAt: until,
      },
    });
    expect(awake?.data.by).toBeUndefined();
    // Written again (a retry), or with a reason outside the set: none.
    expect(eventsOfChange(change('modify', woke, woke))).toEqual([]);
    expect(eventsOfChange(change('modify', snoozed, snoozed))).toEqual([]);
    expect(eventsOfChange(change('insert', { ...woke, data: { ...woke.data, reason: 'dream' } }))).toEqual(
      [],
    );
  });

  it('makes csat.received of a survey answer: ids, score, comment, channel and time, no contact data', () => {
    const answer = {
      entity: 'timeline',
      id: 'csat:svAbc',
      type: 'event',
      event: 'csat',
      channel: 'whatsapp',
      at: '2026-12-03T10:10:00.000Z',
      customerId: 'cu_1',
      conversationId: 'cv_1',
      data: {
        conversationId: 'cv_1',
        surveyId: 'svAbc',
        score: 4,
        comment: 'quick answer',
        answeredAt: '2026-12-03T10:12:00.000Z',
        source: 'whatsapp:wamid.HBgLNDQ3NzAwOTAwNTU1',
      },
    };
    const [event, ...rest] = eventsOfChange(change('insert', answer));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'csat.received',
      timestamp: '2026-12-03T10:12:00.000Z',
      data: {
        customerId: 'cu_1',
        conversationId: 'cv_1',
        surveyId: 'svAbc',
        score: 4,
        comment: 'quick answer',
        channel: 'whatsapp',
        at: '2026-12-03T10:12:00.000Z',
      },
    });
    expect(eventsOfChange(change('modify', answer, answer))).toEqual([]);
    expect(eventsOfChange(change('insert', { ...answer, event: 'csat_skipped' }))).toEqual([]);
  });

  // Routing takes a voicemail as a message; before, an integrator heard nothing of one.
  it('makes voicemail.received of a voicemail: ids, channel, length and time; no recording link or number', () => {
    const voicemail = {
      entity: 'timeline',
      id: 'twilio:call:CA1:voicemail:RE1',
      type: 'event',
      event: 'call_voicemail',
      channel: 'voice',
      direction: 'inbound',
      at: '2026-12-03T10:05:00.000Z',
      customerId: 'cu_1',
      conversationId: 'cv_1',
      providerMessageId: 'CA1',
      from: { kind: 'phone', value: '+447700900555' },
      data: {
        durationSeconds: 23,
        recordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
      },
    };
    const [event, ...rest] = eventsOfChange(change('insert', voicemail));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'voicemail.received',
      timestamp: voicemail.at,
      data: {
        customerId: 'cu_1',
        conversationId: 'cv_1',
        messageId: 'twilio:call:CA1:voicemail:RE1',
        channel: 'voice',
        direction: 'inbound',
        at: voicemail.at,
        durationSeconds: 23,
      },
    });
    expect(eventsOfChange(change('modify', voicemail, voicemail))).toEqual([]);
    // A call's other steps (ringing, its end) and the transcription that completes it make none.
    for (const other of ['call_ringing', 'call_completed', 'call_transcription']) {
      expect(eventsOfChange(change('insert', { ...voicemail, event: other }))).toEqual([]);
    }
    // Nor does a recording of a second or less: the caller hung up at the beep (a missed call).
    const empty = { ...voicemail, data: { ...voicemail.data, durationSeconds: 1 } };
    expect(eventsOfChange(change('insert', empty))).toEqual([]);
  });
});
