import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { eventsOfChange, wordsMovedBy, wordsWithdrawnBy } from '#shared/domain/events/map-change.js';
import { changeRecord } from '../../../../support/change-records.js';

const AT = '2026-12-05T10:00:00.000Z';
const SENT = '2026-12-05T09:58:00.000Z';
const record = (
  kind: ChangeRecord['kind'],
  sk: string,
  newImage: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
) => changeRecord(kind, { pk: 'CUSTOMER#cu_1', sk }, AT, newImage, oldImage);
const MESSAGE_SK = `TIMELINE#${SENT}#whatsapp:wamid.SECRET1`;
const message = {
  entity: 'timeline',
  id: 'whatsapp:wamid.SECRET1',
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  contentType: 'text',
  text: 'my card is 4111 1111 1111 1111',
  at: SENT,
  customerId: 'cu_1',
  conversationId: 'cv_1',
};
const { text: _t, ...redacted } = message;
const deletedMessage = { ...redacted, deleted: true, deletedAt: AT };
const EDIT_SK = `TIMELINE#${AT}#whatsapp:wamid.EDIT1`;
const edit = {
  entity: 'timeline',
  id: 'whatsapp:wamid.EDIT1',
  type: 'event',
  event: 'edit',
  channel: 'whatsapp',
  targetMessageId: 'wamid.SECRET1',
  text: 'my card is hidden',
  at: AT,
  customerId: 'cu_1',
  conversationId: 'cv_1',
};

describe('message edits and deletions as integrator events', () => {
  it('says a customer deleted a message (ids, channel, when), never its words, once', () => {
    const events = eventsOfChange(record('modify', MESSAGE_SK, deletedMessage, message));
    expect(events).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        type: 'message.deleted',
        timestamp: AT,
        data: {
          customerId: 'cu_1',
          conversationId: 'cv_1',
          messageId: 'whatsapp:wamid.SECRET1',
          channel: 'whatsapp',
          direction: 'inbound',
          deletedAt: AT,
        },
      },
    ]);
    // The deletion redelivered writes the same again: the item was deleted already, nothing new.
    expect(eventsOfChange(record('modify', MESSAGE_SK, deletedMessage, deletedMessage))).toEqual([]);
  });

  it('says so too of a message stored deleted (the deletion came first), with the same id', () => {
    const insert = eventsOfChange(record('insert', MESSAGE_SK, deletedMessage));
    expect(insert.map((e) => e.type)).toEqual(['message.received', 'message.deleted']);
    expect(insert[0]?.data.text).toBeUndefined();
    const modify = eventsOfChange(record('modify', MESSAGE_SK, deletedMessage, message));
    expect(insert[1]?.id).toBe(modify[0]?.id);
  });

  it('says a customer edited a message: its id as message.received gave it, the new text and when', () => {
    const [edited] = eventsOfChange(record('insert', EDIT_SK, edit));
    const [received] = eventsOfChange(record('insert', MESSAGE_SK, message));
    expect(edited).toMatchObject({
      type: 'message.edited',
      timestamp: AT,
      data: {
        messageId: received?.data.messageId,
        text: 'my card is hidden',
        editedAt: AT,
        channel: 'whatsapp',
      },
    });
    // An edit of a message deleted already is stored without its words: nothing to tell.
    const { text: _x, ...wordless } = edit;
    expect(eventsOfChange(record('insert', EDIT_SK, { ...wordless, deleted: true, deletedAt: AT }))).toEqual(
      [],
    );
  });

  it('tells nothing of an edit held for its message; tells it once when it is released', () => {
    const held = { ...edit, held: true };
    expect(eventsOfChange(record('insert', EDIT_SK, held))).toEqual([]);
    const [inserted] = eventsOfChange(record('insert', EDIT_SK, edit));
    const released = eventsOfChange(record('modify', EDIT_SK, edit, held));
    expect(released).toEqual([inserted]);
    // Written again as it was (held or released), nothing new.
    expect(eventsOfChange(record('modify', EDIT_SK, held, held))).toEqual([]);
    expect(eventsOfChange(record('modify', EDIT_SK, edit, edit))).toEqual([]);
  });

  it('gives message.received the edit’s time when the message came after its edit, with the edited text', () => {
    const [received] = eventsOfChange(
      record('insert', MESSAGE_SK, { ...message, text: 'my card is hidden', editedAt: AT }),
    );
    expect(received?.data).toMatchObject({ text: 'my card is hidden', editedAt: AT });
    expect(eventsOfChange(record('insert', MESSAGE_SK, message))[0]?.data.editedAt).toBeUndefined();
  });

  it('names the events whose words a deletion withdrew: the message received, and each edit of it', () => {
    const [received] = eventsOfChange(record('insert', MESSAGE_SK, message));
    const [edited] = eventsOfChange(record('insert', EDIT_SK, edit));
    expect(wordsWithdrawnBy(record('modify', MESSAGE_SK, deletedMessage, message))).toEqual([
      { id: received?.id, timestamp: received?.timestamp },
    ]);
    const { text: _x, ...wordless } = edit;
    const redactedEdit = { ...wordless, deleted: true, deletedAt: AT };
    expect(wordsWithdrawnBy(record('modify', EDIT_SK, redactedEdit, edit))).toEqual([
      { id: edited?.id, timestamp: edited?.timestamp },
    ]);
    // None for the deletion again, a message inserted, a status moving.
    expect(wordsWithdrawnBy(record('modify', MESSAGE_SK, deletedMessage, deletedMessage))).toEqual([]);
    expect(wordsWithdrawnBy(record('insert', MESSAGE_SK, deletedMessage))).toEqual([]);
    expect(wordsWithdrawnBy(record('modify', MESSAGE_SK, { ...message, status: 'read' }, message))).toEqual(
      [],
    );
  });

  it('names the events an unmerge gave back the words of, under the key they were delivered from', () => {
    // Delivered while merged, under the kept customer's partition (cu_1)...
    const [received] = eventsOfChange(record('insert', MESSAGE_SK, message));
    const [edited] = eventsOfChange(record('insert', EDIT_SK, edit));
    // ...and moved back to cu_2's by the unmerge.
    const moved = (sk: string, image: Record<string, unknown>) =>
      changeRecord('insert', { pk: 'CUSTOMER#cu_2', sk }, AT, {
        ...image,
        customerId: 'cu_2',
        movedFrom: 'cu_1',
      });
    expect(wordsMovedBy(moved(MESSAGE_SK, message))).toEqual({
      customerId: 'cu_2',
      events: [{ id: received?.id, timestamp: received?.timestamp }],
    });
    expect(wordsMovedBy(moved(EDIT_SK, edit))?.events).toEqual([
      { id: edited?.id, timestamp: edited?.timestamp },
    ]);
    // Our reply sent to cu_2's address while merged: its `message.sent`, delivered under cu_1's key.
    const REPLY_SK = `TIMELINE#${AT}#reply:rp_1`;
    const reply = { ...message, id: 'reply:rp_1', direction: 'outbound', text: 'your card is safe', at: AT };
    const [sent] = eventsOfChange(record('insert', REPLY_SK, reply));
    expect(sent?.type).toBe('message.sent');
    expect(wordsMovedBy(moved(REPLY_SK, reply))?.events).toEqual([
      { id: sent?.id, timestamp: sent?.timestamp },
    ]);
    // A customer's deletion withdraws only their own words (a reply is never deleted so).
    expect(wordsWithdrawnBy(record('modify', REPLY_SK, { ...reply, deleted: true }, reply))).toEqual([]);
    // None for an item written in its place, a routing event moved with the message, a status moving.
    expect(wordsMovedBy(record('insert', MESSAGE_SK, message))).toBeUndefined();
    expect(wordsMovedBy(moved(MESSAGE_SK, { ...message, type: 'event', event: 'routed' }))).toBeUndefined();
    expect(
      wordsMovedBy(record('modify', MESSAGE_SK, { ...message, movedFrom: 'cu_3' }, message)),
    ).toBeUndefined();
  });
});
