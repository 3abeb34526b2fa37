import { describe, expect, it } from 'vitest';
import { selectQueue } from '#shared/domain/routing/queues.js';
import { POLICY, policyWith } from './fixtures.js';

describe('selectQueue', () => {
  it.each([
    ['a keyword', { channel: 'sms', text: 'My invoices are wrong' }, 'billing'],
    ['a language, by its primary subtag', { channel: 'sms', language: 'es-MX', text: 'hola' }, 'spanish'],
    ['a channel', { channel: 'voice' }, 'voice'],
    ['a channel and a language together', { channel: 'email', language: 'fr' }, 'email-fr'],
    ['a channel without the language', { channel: 'email', language: 'en' }, 'general'],
    ['the language on another channel', { channel: 'sms', language: 'fr' }, 'general'],
    ['no language known', { channel: 'sms', text: 'hola' }, 'general'],
    ['the first match in file order', { channel: 'sms', language: 'es', text: 'mi invoice' }, 'billing'],
    ['nothing: the default queue', { channel: 'messenger', language: 'en', text: 'hi' }, 'general'],
  ] as const)('picks by %s', (_name, message, queue) => {
    expect(selectQueue(POLICY, message)).toBe(queue);
  });

  it('never picks a queue without criteria by matching', () => {
    const policy = policyWith({ defaultQueue: 'night' });
    expect(selectQueue(policy, { channel: 'sms', text: 'hi' })).toBe('night');
  });
});
