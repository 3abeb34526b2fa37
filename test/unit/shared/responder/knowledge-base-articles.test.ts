import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
      `${join(folder, 'b.md')}: article b has no heading to take its title from`,
    );
    const empty = folderWith({ 'notes.txt': '# Not an article', 'README.md': '# How to edit\n\nText.\n' });
    expect(() => readKnowledgeBase(empty)).toThrow(
      `the knowledge base ${empty} has no articles (*.md, other than README.md and names starting with . or _)`,
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
    ).toThrow(/synonyms\.json of the knowledge base is not JSON/);
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
});
