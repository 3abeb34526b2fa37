import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { logger } from '#shared/log.js';
import { readKnowledgeBase } from '#shared/responder/knowledge-base.js';
import {
  KnowledgeBaseError,
  loadArticles,
  markdownToText,
  parseArticle,
  SAMPLE_KNOWLEDGE_BASE,
} from '#shared/responder/knowledge-base-articles.js';
import { createKnowledgeBaseResponder } from '#shared/responder/knowledge-base-responder.js';

describe('knowledge-base articles', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  const folderWith = (files: Record<string, string>) => {
    const folder = mkdtempSync(join(tmpdir(), 'kb-'));
    folders.push(folder);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    return folder;
  };

  it('loads the sample articles, titled by their first heading', () => {
    const articles = loadArticles(SAMPLE_KNOWLEDGE_BASE);
    expect(articles.map((article) => [article.id, article.title])).toEqual([
      ['cancel-order', 'Cancelling an order'],
      ['change-delivery-address', 'Changing your delivery address'],
      ['opening-hours', 'Opening hours and contact'],
      ['payment-methods', 'Payment methods'],
      ['returns', 'Returns and refunds'],
      ['shipping-times', 'Shipping times'],
      ['sizes', 'Sizes and fit'],
      ['tracking', 'Tracking your parcel'],
    ]);
    for (const article of articles) expect(article.body).not.toMatch(/^#/m);
  });

  it('reads only Markdown files and turns their Markdown into plain text', () => {
    const folder = folderWith({
      'b.md':
        'Intro line\n\n## **Gift** cards\n\nSee [our shop](https://shop.example/gift) for _all_ `amounts`.\n',
      'a.txt': '# Not an article',
    });
    expect(loadArticles(folder)).toEqual([
      {
        id: 'b',
        title: 'Gift cards',
        body: 'Intro line\n\nSee our shop (https://shop.example/gift) for all amounts.',
      },
    ]);
  });

  it('refuses an article without a heading, a folder that does not exist and an empty base', () => {
    expect(() => parseArticle('x', 'just text')).toThrow(KnowledgeBaseError);
    expect(() => parseArticle('y', '# Title only')).toThrow(/article y has no body/);
    expect(() => loadArticles(join(tmpdir(), 'no-such-kb-folder'))).toThrow(KnowledgeBaseError);
    expect(() => createKnowledgeBaseResponder({ folder: folderWith({}) })).toThrow(/no articles/);
  });

  it('names the file of an article it refuses, and the folder that has none', () => {
    const folder = folderWith({ 'a.md': '# Fine\n\nA body.\n', 'b.md': 'no heading here\n' });
    expect(() => loadArticles(folder)).toThrow(
      `${join(folder, 'b.md')}: article b has no heading to take its title from: start it with a "# Title" line`,
    );
    const empty = folderWith({ 'notes.txt': '# Not an article', 'README.md': '# How to edit\n\nText.\n' });
    expect(() => readKnowledgeBase(empty)).toThrow(
      `the knowledge base ${empty} has no articles (*.md or *.markdown, other than README.md and names starting with . or _)`,
    );
  });

  it("takes no README.md, and no file starting with . or _ (a draft, a template, an editor's backup), for an article", () => {
    const folder = folderWith({
      // A README with a heading was an article the AI answered customers from; one without stopped the start.
      'README.md': '# Our help articles\n\nOne file per topic. Ask Sam before editing the returns policy.\n',
      'readme.md.md': '# Not a README\n\nAn article whose name only starts like one.\n',
      '_template.md': '# Title\n\nWrite the answer here.\n',
      '.returns.md.swp.md': 'an editor leftover without a heading',
      '.draft.md': '# Draft\n\nNot published yet.\n',
      'gifts.md': '# Gifts\n\nGift cards come in €25 and €50.\n',
    });
    expect(loadArticles(folder).map((article) => article.id)).toEqual(['gifts', 'readme.md']);
    expect(readKnowledgeBase(folder).articles.map((article) => article.title)).toEqual([
      'Gifts',
      'Not a README',
    ]);
    const readme = folderWith({ 'ReadMe.md': 'How to edit this folder: one article per topic.\n' });
    expect(() => readKnowledgeBase(readme)).toThrow(/has no articles/);
  });

  it('reads synonyms.json and calibration.json beside the articles, and names what is wrong in them', () => {
    const article = '# Gifts\n\nGift cards come in €25 and €50.\n';
    const good = folderWith({
      'gifts.md': article,
      'synonyms.json': JSON.stringify({ groups: [['gift card', 'voucher']] }),
      'calibration.json': JSON.stringify({ steps: [{ score: 0.5, right: 0.9 }] }),
    });
    expect(readKnowledgeBase(good)).toMatchObject({
      synonyms: { groups: [['gift card', 'voucher']], ignore: [] },
      calibration: { steps: [{ score: 0.5, right: 0.9 }] },
      language: 'en',
    });
    expect(readKnowledgeBase(folderWith({ 'gifts.md': article }))).toMatchObject({ synonyms: undefined });
    expect(() =>
      readKnowledgeBase(folderWith({ 'gifts.md': article, 'synonyms.json': '{"groups": [' })),
    ).toThrow(/synonyms\.json: not JSON: /);
    expect(() =>
      readKnowledgeBase(folderWith({ 'gifts.md': article, 'synonyms.json': '{"groups": [["alone"]]}' })),
    ).toThrow(/synonyms\.json: groups\.0 /);
    expect(() =>
      readKnowledgeBase(folderWith({ 'gifts.md': article, 'calibration.json': '{"steps": [{"score": 2}]}' })),
    ).toThrow(KnowledgeBaseError);
  });

  it('strips lists, quotes and HTML from Markdown', () => {
    expect(markdownToText('> Note\n\n* one\n+ two\n<br/>**bold**')).toBe('Note\n\n- one\n- two\nbold');
  });

  it('reads .MD and .markdown files too, refuses two files of one name, and logs the files it skips', () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const folder = folderWith({
      'Returns.MD': '# Returns\n\nWithin 30 days.\n',
      'hours.markdown': '# Hours\n\nNine to five.\n',
      'notes.txt': '# Not an article',
      'README.md': '# How to edit\n',
      'synonyms.json': '{}',
    });
    mkdirSync(join(folder, 'old.md'));
    expect(readKnowledgeBase(folder).articles.map((article) => article.id)).toEqual(['Returns', 'hours']);
    expect(info).toHaveBeenCalledWith('knowledge base: files skipped, not articles', {
      folder,
      skipped: ['README.md', 'notes.txt', 'old.md'],
    });
    expect(() => loadArticles(folderWith({ 'blank.md': '\n' }))).toThrow(/article blank is empty$/);
    info.mockRestore();
    const twice = folderWith({ 'gifts.md': '# Gifts\n\nCards.\n', 'gifts.markdown': '# Gifts\n\nCards.\n' });
    expect(() => loadArticles(twice)).toThrow(
      `${join(twice, 'gifts.markdown')} and gifts.md: two articles named gifts; rename or remove one`,
    );
  });

  it('reads JSON files saved with a byte-order mark, and names the file and the reason of one that is not JSON', () => {
    const article = '# Gifts\n\nGift cards come in €25 and €50.\n';
    const bom = folderWith({
      'gifts.md': article,
      'synonyms.json': '\uFEFF{"groups": [["gift card", "voucher"]]}',
    });
    expect(readKnowledgeBase(bom).synonyms?.groups).toEqual([['gift card', 'voucher']]);
    const calibrated = folderWith({
      'gifts.md': article,
      'calibration.json': '\uFEFF{"steps": [{"score": 0.5, "right": 0.9}]}',
    });
    expect(readKnowledgeBase(calibrated).calibration).toEqual({ steps: [{ score: 0.5, right: 0.9 }] });
    const empty = folderWith({ 'gifts.md': article, 'synonyms.json': '' });
    expect(() => readKnowledgeBase(empty)).toThrow(
      `${join(empty, 'synonyms.json')}: the file is empty (write {} in it, or delete it)`,
    );
    const broken = folderWith({
      'gifts.md': article,
      'synonyms.json': '{\n  "groups": [\n    ["a", "b"],\n  ]\n}',
    });
    expect(() => readKnowledgeBase(broken)).toThrow(
      // One line, whatever Node's message (it quotes the text around the mistake).
      new RegExp(`^${join(broken, 'synonyms\\.json')}: not JSON: Unexpected token [^\\n]+$`),
    );
    const wrong = folderWith({ 'gifts.md': article, 'synonyms.json': '{"groups": [["alone"]]}' });
    expect(() => readKnowledgeBase(wrong)).toThrow(`${join(wrong, 'synonyms.json')}: groups.0 `);
  });
});
