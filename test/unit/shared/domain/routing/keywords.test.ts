import { describe, expect, it } from 'vitest';
import { decideRoute } from '#shared/domain/routing/decide-route.js';
import { findKeyword } from '#shared/domain/routing/keywords.js';
import { input } from './fixtures.js';

describe('findKeyword', () => {
  it.each([
    ['I want a REFUND', ['refund'], 'refund'],
    ['they refunded half', ['refund*'], 'refund*'],
    ['je veux être remboursé', ['rembourse*'], 'rembourse*'],
    ['give me my money   back', ['money back'], 'money back'],
    ['first match in list order', ['order', 'first'], 'order'],
  ])('finds a keyword in %j', (text, keywords, found) => {
    expect(findKeyword(text, keywords)).toBe(found);
  });

  it.each([
    ['the courtyard is lovely', ['court']],
    ['humanity', ['human']],
    ['refund', ['refunds']],
    ['a.b', ['a*b']],
  ])('finds no whole-word keyword in %j', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBeUndefined();
  });

  // A keyword's apostrophe is optional and any apostrophe: customers type ’ (phones), ' or none.
  it.each([
    ['it doesn’t work', ["doesn't work"]],
    ['it doesnt work', ["doesn't work"]],
    ["it doesn't work", ['doesn’t work']],
    ['I can’t breathe', ["can't breathe"]],
    ["where's my money?", ['wheres my money']],
    ['where’s my money?', ['wheres my money']],
    ['wheres my money?', ["where's my money"]],
    ['je veux parler à l’agent', ['agent']],
  ])('finds %j whatever its apostrophe', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBe(keywords[0]);
  });

  // Scripts written without spaces between words have no word boundaries to match on.
  it.each([
    ['返金してください', ['返金']],
    ['注文をキャンセルしたい', ['キャンセル']],
    ['我要退款', ['退款']],
    ['ขอคืนเงินด้วย', ['คืนเงิน']],
    ['환불해 주세요', ['환불']],
    ['請幫我退款 thanks', ['退款*']],
  ])('finds %j inside text without spaces', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBe(keywords[0]);
  });

  it('keeps whole words around a keyword in a spaced script beside one without', () => {
    expect(findKeyword('返金refundable', ['refund'])).toBeUndefined();
    expect(findKeyword('返金 refund', ['refund'])).toBe('refund');
  });

  // Arabic as customers type it: ة as ه, ى as ي, hamza and madda forms of alef as ا, tatweel and harakat
  // left out, on both sides; and a word with its attached proclitics (و ف ب ل ك, then ال).
  it.each([
    ['فاتوره رقم 12 فيها غلط', ['فاتورة*']],
    ['عندي مشكل فالفاتورة رقم 12', ['فاتورة*']],
    ['والفاتورة رقم 12 فيها غلط', ['فاتورة*']],
    ['شنو هاد المبلغ اللي بالفاتورة رقم 12؟', ['فاتورة*']],
    ['للفاتورة', ['فاتورة*']],
    ['وبالفاتوره', ['الفاتورة*']],
    ['فالفاتورة', ['الفاتورة*']],
    ['فـاتُـورة', ['فاتوره']],
    ['بغيت نرجع الفلوس دابا', ['ارجع*', 'الفلوس']],
    ['مستشفى', ['مستشفي']],
    ['أريد استرجاع المال', ['اريد*']],
    ['ٱلفاتورة', ['فاتورة']],
  ])('finds %j by its Arabic keyword', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBe(keywords.at(-1));
  });

  it.each([
    ['فاتورتين', ['فاتورة']],
    ['سفاتورة', ['فاتورة*']],
    ['ففففاتورة', ['فاتورة']],
  ])('finds no Arabic keyword in %j past its proclitics', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBeUndefined();
  });

  it('routes an Arabic spelling of a queue keyword to its queue, as the policy-writer wrote it', () => {
    expect(findKeyword('عندي مشكل فالفاتوره', ['facture*', 'فاتورة*'])).toBe('فاتورة*');
  });

  it('takes linear time on a long text', () => {
    const text = `${'where s '.repeat(20_000)}${'وبال'.repeat(20_000)}x`;
    const started = performance.now();
    expect(
      findKeyword(text, ["where's my money", 'a b c d e', '返金', 'وبالفاتورة*', 'بال بال بالا']),
    ).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it.each(["where's my money?", 'where’s my money?'])(
    'routes %j to the refund topic of the shipped policy',
    (text) => {
      expect(decideRoute(input({ message: { text } }))).toMatchObject({
        reason: 'must_be_human_topic',
        detail: 'topic "refund" (keyword "wheres my money")',
      });
    },
  );
});
