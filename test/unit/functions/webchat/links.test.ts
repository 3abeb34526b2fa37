import { describe, expect, it } from 'vitest';
import { linkParts } from '../../../../functions/webchat/widget/links.js';

const link = (href: string) => ({ href, text: href });

describe('the web addresses the widget makes links of', () => {
  it('finds https and mailto addresses, leaving the punctuation after them out', () => {
    expect(linkParts('See https://shop.example/orders/42. Or mail mailto:help@shop.example, thanks')).toEqual(
      [
        'See ',
        link('https://shop.example/orders/42'),
        '. Or mail ',
        link('mailto:help@shop.example'),
        ', thanks',
      ],
    );
    expect(linkParts('(details: https://shop.example/a?b=1&c=2#x)')).toEqual([
      '(details: ',
      link('https://shop.example/a?b=1&c=2#x'),
      ')',
    ]);
    expect(linkParts('https://en.wikipedia.org/wiki/Tea_(drink), it says')).toEqual([
      link('https://en.wikipedia.org/wiki/Tea_(drink)'),
      ', it says',
    ]);
  });

  it('leaves other schemes, bare schemes and addresses without a host or an @ as text', () => {
    for (const text of [
      'javascript:alert(1)',
      'http://shop.example',
      'https:// nothing',
      'mailto:nobody',
      'mailto:',
      'just text',
    ])
      expect(linkParts(text)).toEqual([text]);
    expect(linkParts('')).toEqual([]);
  });

  it('leaves an address longer than 2,048 characters as text', () => {
    const long = `https://shop.example/${'a'.repeat(3000)}`;
    expect(linkParts(`x ${long} https://shop.example/ok`)).toEqual([
      `x ${long} `,
      link('https://shop.example/ok'),
    ]);
  });

  it('takes linear time on text built to be slow (many schemes, one long run, no end)', () => {
    const texts = [
      'https://'.repeat(20_000),
      `mailto:${'https://a'.repeat(20_000)}`,
      `${'x'.repeat(100_000)}https://`,
      'mailto:a '.repeat(20_000),
      `${'('.repeat(50_000)}https://a.example${')'.repeat(50_000)}`,
    ];
    // Each is 100,000 characters or more: quadratic work would take minutes, linear takes milliseconds.
    for (const text of texts) {
      const started = performance.now();
      linkParts(text);
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });
});
