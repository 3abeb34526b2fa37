import { describe, expect, it } from 'vitest';
import { WhatsAppMessageSchema, WhatsAppStatusSchema } from '#shared/channels/whatsapp/schema.js';

const text = {
  from: '16505551234',
  id: 'wamid.A',
  timestamp: '1749416383',
  type: 'text',
  text: { body: 'Hi' },
};

describe('WhatsAppMessageSchema', () => {
  it('parses a message type it does not know, keeping its fields', () => {
    const parsed = WhatsAppMessageSchema.parse({ ...text, type: 'poll_update', poll_update: { votes: [1] } });
    expect(parsed).toMatchObject({ type: 'poll_update', poll_update: { votes: [1] } });
  });

  it.each([
    ['a numeric timestamp', { ...text, timestamp: 1749416383 }, 'timestamp'],
    ['a timestamp in milliseconds with a fraction', { ...text, timestamp: '1749416383000.5' }, 'timestamp'],
    ['a text message without text', { ...text, text: undefined }, 'text'],
    ['an image with neither id nor url', { ...text, type: 'image', image: { caption: 'x' } }, 'image'],
    [
      'a location with string coordinates',
      { ...text, type: 'location', location: { latitude: '1', longitude: '2' } },
      'location',
    ],
    [
      'a list reply without its object',
      { ...text, type: 'interactive', interactive: { type: 'list_reply' } },
      'interactive',
    ],
    ['a reaction without message_id', { ...text, type: 'reaction', reaction: { emoji: '👍' } }, 'reaction'],
  ])('rejects %s', (_label, message, path) => {
    const result = WhatsAppMessageSchema.safeParse(message);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(path);
  });
});

describe('WhatsAppStatusSchema', () => {
  it.each(['sent', 'delivered', 'read', 'failed', 'played'])('accepts status %s', (status) => {
    expect(
      WhatsAppStatusSchema.safeParse({ id: 'wamid.B', status, recipient_id: '16505551234' }).success,
    ).toBe(true);
  });

  it('rejects a status without the wamid it concerns', () => {
    expect(WhatsAppStatusSchema.safeParse({ status: 'read', recipient_id: '16505551234' }).success).toBe(
      false,
    );
  });
});
