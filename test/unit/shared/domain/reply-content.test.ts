import { describe, expect, it } from 'vitest';
import { checkReplyContent } from '#shared/domain/reply-content.js';

const template = { name: 'order_update', language: 'en', parameters: [] };
const file = { url: 'https://shop.example/invoice.pdf', kind: 'document' };

/** What each channel's sender carries in one message passes; the refusals are in reply-as-agent.test.ts. */
describe('checkReplyContent', () => {
  it.each([
    ['whatsapp', { template, attachments: [] }],
    ['whatsapp', { text: 'caption', attachments: [file] }],
    ['messenger', { attachments: [file] }],
    ['instagram', { text: 'hi', attachments: [] }],
    ['sms', { text: 'two files', attachments: [file, file] }],
    ['email', { text: 'files as links', attachments: [file, file, file] }],
    ['webchat', { text: 'links', attachments: [file, file] }],
  ] as const)('lets %s carry %j', (channel, request) => {
    expect(() => checkReplyContent(channel, request)).not.toThrow();
  });

  it('says what to send instead', () => {
    expect(() => checkReplyContent('sms', { template, attachments: [] })).toThrow(
      "templates are WhatsApp's: a reply on sms takes text and attachments",
    );
    expect(() => checkReplyContent('messenger', { text: 'see', attachments: [file] })).toThrow(
      'messenger sends text and an attachment as separate messages: send them as two replies',
    );
  });
});
