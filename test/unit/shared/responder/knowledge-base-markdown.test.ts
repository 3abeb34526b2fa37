import { describe, expect, it } from 'vitest';
import {
  KnowledgeBaseError,
  markdownToText,
  parseArticle,
  parseFrontMatter,
  splitPassages,
} from '#shared/responder/knowledge-base-articles.js';

const passagesOf = (source: string) => splitPassages(parseArticle('a', source)).map((p) => p.text);

describe('Markdown of an article as plain text', () => {
  it('keeps < and > that are less and more than, and the text of autolinks; drops only HTML tags', () => {
    expect(markdownToText('Orders under <€50 pay €4 shipping; orders >€50 ship free.')).toBe(
      'Orders under <€50 pay €4 shipping; orders >€50 ship free.',
    );
    expect(markdownToText('Email us at <hello@shop.pt> or see <https://shop.pt/shipping>.')).toBe(
      'Email us at hello@shop.pt or see https://shop.pt/shipping.',
    );
    expect(
      markdownToText('Sizes 1 < 2 > 0.\n<b>Bold</b> <span class="x">tag</span> <img src="a.png"/>'),
    ).toBe('Sizes 1 < 2 > 0.\nBold tag');
    expect(markdownToText('Fish &amp; chips, 30 days.<br>Send it back.')).toBe(
      'Fish & chips, 30 days.\nSend it back.',
    );
  });

  it('turns a table into plain lines, one a row', () => {
    const table =
      '| Day | Hours |\n|-----|:-----:|\n| Monday to Friday | 9:00 to 17:00 |\n| **Saturday** | closed |';
    expect(markdownToText(table)).toBe('Monday to Friday: 9:00 to 17:00\nSaturday: closed');
    expect(markdownToText('Size | Chest | Waist\n--- | --- | ---\nM | 96 cm | 80 cm')).toBe(
      'M: Chest 96 cm; Waist 80 cm',
    );
  });

  it('keeps a lead-in sentence ending with ":" with the list or table it introduces, as one passage', () => {
    const source =
      '# Opening hours\n\nOur shop in Lisbon is open at these times:\n\n| Day | Hours |\n|-----|-------|\n| Monday to Friday | 9:00 to 17:00 |\n| Saturday | closed |\n\nWe deliver to:\n\n- Portugal\n- Spain\n';
    expect(passagesOf(source)).toEqual([
      'Our shop in Lisbon is open at these times:\nMonday to Friday: 9:00 to 17:00\nSaturday: closed',
      'We deliver to:\n- Portugal\n- Spain',
    ]);
  });

  it('inlines footnotes, drops struck-through text and task-list boxes, keeps fenced code as plain lines', () => {
    expect(markdownToText('Returns cost €4.95 [^1].\n\n[^1]: Deducted from your refund.')).toBe(
      'Returns cost €4.95 (Deducted from your refund).',
    );
    expect(markdownToText('Returns cost €4.95 [^x].')).toBe('Returns cost €4.95.');
    expect(markdownToText('Shipping costs ~~€5~~ €4.')).toBe('Shipping costs €4.');
    expect(markdownToText('- [x] Keep your receipt\n- [ ] Use a tracked service')).toBe(
      '- Keep your receipt\n- Use a tracked service',
    );
    expect(
      markdownToText(
        'Call us:\n\n```\nPhone: +351 21 000 0000\n# not a heading *or emphasis*\n```\n\nThanks.',
      ),
    ).toBe('Call us:\n\nPhone: +351 21 000 0000\n# not a heading *or emphasis*\n\nThanks.');
    expect(markdownToText('Before\n\n---\n\nAfter\n\n* * *')).toBe('Before\n\nAfter');
    expect(markdownToText('Send it to:\n\n    Rua Exemplo 1\n    1100-000 Lisboa\n\n- one\n  - nested')).toBe(
      'Send it to:\n\nRua Exemplo 1\n1100-000 Lisboa\n\n- one\n  - nested',
    );
  });
});

describe('the title and front matter of an article', () => {
  it('takes a setext heading for the title, and never a # line inside a code block', () => {
    expect(parseArticle('returns', 'Returns\n=======\n\nWithin 30 days.\n')).toMatchObject({
      title: 'Returns',
      body: 'Within 30 days.',
    });
    expect(parseArticle('r', '```\n# not the title\n```\n\n# Returns\n\nWithin 30 days.\n')).toMatchObject({
      title: 'Returns',
      body: '# not the title\n\nWithin 30 days.',
    });
    expect(() => parseArticle('x', 'Just a sentence.\n')).toThrow(/start it with a "# Title" line/);
  });

  it('reads a byte-order mark and Windows line ends (Notepad) as nothing', () => {
    const source =
      '\uFEFF---\r\nquestions:\r\n  - Do you ship to the islands?\r\n---\r\n# Delivery\r\n\r\nWe ship in 48 hours.\r\n';
    expect(parseArticle('delivery', source)).toEqual({
      id: 'delivery',
      title: 'Delivery',
      body: 'We ship in 48 hours.',
      questions: ['Do you ship to the islands?'],
    });
  });

  it('reads a flow list of questions and a key in any case', () => {
    expect(
      parseFrontMatter('questions: [How does X work?, "Can I pause, then resume?", [2] Can I stop?]'),
    ).toEqual({
      questions: ['How does X work?', 'Can I pause, then resume?', '[2] Can I stop?'],
    });
    expect(parseFrontMatter('Questions:\n  - Can I pause?\n  - "Can I stop?"')).toEqual({
      questions: ['Can I pause?', 'Can I stop?'],
    });
    expect(parseFrontMatter('title: x\nquestions: Can I pause?')).toEqual({ questions: ['Can I pause?'] });
    expect(() => parseFrontMatter('questions: [How does X work?, Can I pause?')).toThrow(/no closing \]/);
  });

  it('refuses front matter with no closing --- rather than reading it as the article', () => {
    expect(() =>
      parseArticle('sub', '---\nquestions:\n  - Can I pause?\n# Subscriptions\n\nPause any time.\n'),
    ).toThrow(KnowledgeBaseError);
    expect(() =>
      parseArticle('sub', '---\nquestions:\n  - Can I pause?\n# Subscriptions\n\nPause.\n'),
    ).toThrow(/article sub: its front matter, opened by --- on the first line, has no closing --- line/);
  });
});
