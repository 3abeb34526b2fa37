import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { eventDataSchemas } from '#shared/domain/events/integration-events.js';
import { eventsOfChange } from '#shared/domain/events/map-change.js';

const inserted = (newImage: Record<string, unknown>): ChangeRecord => ({
  id: 'rec-ctx',
  kind: 'insert',
  keys: { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#x' },
  newImage,
  sequence: '1',
  at: '2026-12-03T10:00:00.000Z',
});
const message = {
  entity: 'timeline',
  type: 'message',
  channel: 'whatsapp',
  at: '2026-12-03T09:59:00.000Z',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  contentType: 'text',
};

describe('message events: templates, forwards and quotes', () => {
  it('message.sent of a template reply carries the template and the line that says it', () => {
    const template = { name: 'order_update', language: 'en_US', parameters: ['Bob'] };
    const [event] = eventsOfChange(
      inserted({
        ...message,
        id: 'reply:rp_1',
        direction: 'outbound',
        status: 'queued',
        text: 'Template order_update (en_US): Bob',
        data: { author: { kind: 'agent', id: 'ana' }, template },
      }),
    );
    expect(event).toMatchObject({
      type: 'message.sent',
      data: { text: 'Template order_update (en_US): Bob', template, author: 'agent', status: 'queued' },
    });
    expect(eventDataSchemas()['message.sent'].parse(event?.data)).toMatchObject({ template });
  });

  it('message.received says the message was forwarded (many times) and which message it quotes', () => {
    const [event] = eventsOfChange(
      inserted({
        ...message,
        id: 'whatsapp:wamid.F1',
        direction: 'inbound',
        text: 'Look at this',
        replyTo: 'wamid.OURS1',
        data: { forwarded: true, frequentlyForwarded: true },
      }),
    );
    expect(event).toMatchObject({
      type: 'message.received',
      data: { replyTo: 'wamid.OURS1', forwarded: true, frequentlyForwarded: true },
    });
    expect(eventDataSchemas()['message.received'].parse(event?.data)).toMatchObject({
      replyTo: 'wamid.OURS1',
      forwarded: true,
      frequentlyForwarded: true,
    });
  });

  it('message.received of an SMS keyword says which (optOut), as the normaliser recorded it', () => {
    const keyword = (id: string, optOut: unknown) =>
      eventsOfChange(
        inserted({ ...message, id, channel: 'sms', direction: 'inbound', text: 'STOP', data: { optOut } }),
      )[0]?.data;
    expect(keyword('sms:SM1', 'stop')).toMatchObject({ optOut: 'stop' });
    expect(keyword('sms:SM2', 'start')).toMatchObject({ optOut: 'start' });
    expect(keyword('sms:SM3', 'unsubscribe')).not.toHaveProperty('optOut');
  });

  it('says nothing of forwards, quotes or templates a message does not have', () => {
    const [event] = eventsOfChange(
      inserted({ ...message, id: 'whatsapp:wamid.P1', direction: 'inbound', text: 'Plain', data: {} }),
    );
    expect(Object.keys(event?.data ?? {})).not.toContain('forwarded');
    expect(Object.keys(event?.data ?? {})).not.toContain('frequentlyForwarded');
    expect(Object.keys(event?.data ?? {})).not.toContain('replyTo');
    expect(Object.keys(event?.data ?? {})).not.toContain('template');
    expect(Object.keys(event?.data ?? {})).not.toContain('optOut');
  });
});
