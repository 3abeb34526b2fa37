import { describe, expect, it } from 'vitest';
import { ownWords } from '#shared/domain/routing/own-words.js';

const email = (text: string) => ownWords({ channel: 'email', text });

describe('ownWords: the words of an email routing reads', () => {
  it("cuts trailing paragraphs that hold a link and a list's words, and everything under a signature line", () => {
    const footer =
      'Hale Studio, Leeds.\nUnsubscribe [https://t.example/u] | Preferences [https://t.example/p]';
    expect(email(`Where is my order?\n\nRobin\n\n${footer}`)).toBe('Where is my order?\n\nRobin');
    expect(email('Where is my order?\n-- \nTo unsubscribe, reply STOP')).toBe('Where is my order?');
    expect(email('Hi\n\nWhere?\n\nRobin\nwww.hale.example\n\nunsubscribe: mailto:x@t.example')).toBe(
      'Hi\n\nWhere?\n\nRobin\nwww.hale.example',
    );
    expect(email('Bonjour\n\nOù ?\n\nSe désabonner [https://t.example/u]')).toBe('Bonjour\n\nOù ?');
  });

  it('keeps the first paragraph, a paragraph without a link after the footer, and other channels', () => {
    expect(email('Please cancel my plan: https://shop.example/account/9')).toBe(
      'Please cancel my plan: https://shop.example/account/9',
    );
    // A customer's own request with a link under a greeting is no footer: a must-be-human topic stays.
    expect(email('Hi,\n\nI want to cancel my order, see https://shop.example/o/1')).toBe(
      'Hi,\n\nI want to cancel my order, see https://shop.example/o/1',
    );
    expect(email('Cancel it, see https://a.example\n\nThanks')).toBe(
      'Cancel it, see https://a.example\n\nThanks',
    );
    expect(ownWords({ channel: 'sms', text: 'x\n\nunsubscribe https://a.example' })).toBe(
      'x\n\nunsubscribe https://a.example',
    );
    expect(ownWords({ channel: 'email', text: undefined })).toBeUndefined();
  });
});
