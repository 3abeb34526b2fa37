import { describe, expect, it } from 'vitest';
import { metaCharset, relabelledMime } from '#shared/channels/ses/charsets.js';
import { emailFixture, mimeContent } from '../../../../support/mail-fixture.js';

const contentOf = (mime: Buffer) => mimeContent(mime);

/** A mail whose header lines are `head` (in `charset` bytes) and body `body` (likewise). */
const mail = (head: string[], body: string, encode: (text: string) => Buffer) =>
  Buffer.concat([encode(`${head.join('\r\n')}\r\n\r\n`), encode(body), Buffer.from('\r\n')]);

const decoderBytes = (charset: string) => {
  // Text to bytes in a legacy charset: the inverse of the WHATWG decoder over every byte pair.
  const single = new TextDecoder(charset);
  const table = new Map<string, number[]>();
  for (let a = 0; a < 256; a++) {
    const one = single.decode(Uint8Array.of(a));
    if (a < 0x80 || (one.length === 1 && one !== '\uFFFD')) {
      if (!table.has(one)) table.set(one, [a]);
      continue;
    }
    for (let b = 0x40; b < 256; b++) {
      const two = single.decode(Uint8Array.of(a, b));
      if (two.length === 1 && two !== '\uFFFD' && !table.has(two)) table.set(two, [a, b]);
    }
  }
  return (text: string) =>
    Buffer.from(
      [...text].flatMap((c) => {
        const bytes = table.get(c);
        if (!bytes) throw new Error(`no ${charset} bytes for ${c}`);
        return bytes;
      }),
    );
};

describe('parseMime: raw 8-bit headers in the message’s own charset', () => {
  it('reads a Windows-1251 header block as Windows-1251 when the message says so', async () => {
    const cp1251 = decoderBytes('windows-1251');
    const mime = mail(
      [
        'From: Олег Смирнов <oleg@example.ru>',
        'Subject: Заказ не пришёл',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=windows-1251',
      ],
      'Здравствуйте, заказ №12 не пришёл.',
      cp1251,
    );
    const content = await contentOf(mime);
    expect(content.from).toEqual({ address: 'oleg@example.ru', name: 'Олег Смирнов' });
    expect(content.subject).toBe('Заказ не пришёл');
    expect(content.body).toBe('Здравствуйте, заказ №12 не пришёл.\n');
  });

  it('reads a Shift_JIS Subject by the first text part’s charset when the top level names none', async () => {
    const sjis = decoderBytes('shift_jis');
    const mime = mail(
      [
        'From: 田中 <tanaka@example.jp>',
        'Subject: 発送について質問',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative;',
        '\tboundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain;',
        ' charset="Shift_JIS"',
      ],
      '発送はいつですか。\r\n--b1--',
      sjis,
    );
    const content = await contentOf(mime);
    expect(content.subject).toBe('発送について質問');
    expect(content.from).toEqual({ address: 'tanaka@example.jp', name: '田中' });
    expect(content.body).toBe('発送はいつですか。');
  });

  it('keeps Windows-1252 for a header block whose message declares UTF-8 or no known charset', async () => {
    for (const charset of ['utf-8', 'x-unknown-8bit', 'utf-16le']) {
      const mime = Buffer.from(
        `From: Ren\xe9e <renee@example.fr>\r\nSubject: Caf\xe9 \x80\r\nContent-Type: text/plain; charset=${charset}\r\n\r\nok\r\n`,
        'latin1',
      );
      const content = await contentOf(mime);
      expect(content.subject, charset).toBe('Café €');
      expect(content.from?.name, charset).toBe('Renée');
    }
  });

  it('reads an encoded-word or a text part under an unknown label as UTF-8 when it is, else Windows-1252', async () => {
    const mime = Buffer.from(
      'From: =?x-unknown?Q?J=C3=BCrgen?= <j@example.de>\r\nSubject: =?x-unknown?Q?Hall=F6?=\r\n' +
        'Content-Type: text/plain; charset=x-unknown-8bit\r\n\r\nGr\xfc\xdfe \x80\r\n',
      'latin1',
    );
    const content = await contentOf(mime);
    expect(content.subject).toBe('Hallö');
    expect(content.from?.name).toBe('Jürgen');
    expect(content.body).toBe('Grüße €\n');
  });

  it('leaves a mail with nothing to relabel as it is', () => {
    expect(
      relabelledMime(Buffer.from('Subject: hi\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\nx')),
    ).toBe(undefined);
  });
});

describe('parseMime: an unlabelled part in a charset other than UTF-8', () => {
  // Before, both read as UTF-8-or-Windows-1252: `ãÑÍÈÇ¡ ÃÑíÏ ÅáÛÇÁ ØáÈí ÑÞã 9981`.
  it('reads an HTML part by the charset its <meta http-equiv> declares', async () => {
    const content = await mimeContent(emailFixture('arabic-html-meta-http-equiv.eml'));
    expect(content.body?.trim()).toBe('مرحبا، أريد إلغاء طلبي رقم 9981');
  });

  it('reads an HTML part by its <meta charset>, past a commented-out one', async () => {
    const content = await mimeContent(emailFixture('arabic-html-meta-charset.eml'));
    expect(content.body?.trim()).toBe('السلام عليكم، وصلني الطلب ناقص.');
  });

  it('looks for the <meta> in the first 1,024 bytes only, as a browser’s prescan does', async () => {
    const late = Buffer.from(
      `Content-Type: text/html\r\n\r\n<html><!-- ${'x'.repeat(1024)} --><meta charset="windows-1256"><p>M\xe1laga</p>\r\n`,
      'latin1',
    );
    expect((await mimeContent(late)).body?.trim()).toBe('Málaga');
  });

  it('reads a part labelled with nothing, or an HTML part whose <meta> names no known charset, in EMAIL_FALLBACK_CHARSET', async () => {
    const plain = emailFixture('arabic-unlabelled-text.eml');
    expect((await mimeContent(plain)).body?.trim()).toBe('ÇáÓáÇã Úáíßã¡ Ýíä æÕáÇÊ ÇáßæãæäÏ ÏíÇáí¿');
    const arabic = { fallbackCharset: 'windows-1256' };
    expect((await mimeContent(plain, arabic)).body?.trim()).toBe('السلام عليكم، فين وصلات الكوموند ديالي؟');
    const unknown = Buffer.from(
      'Content-Type: text/html\r\n\r\n<meta charset="x-klingon"><p>\xd8\xe1\xc8</p>\r\n',
      'latin1',
    );
    expect((await mimeContent(unknown, arabic)).body?.trim()).toBe('طلب');
  });
});

describe('metaCharset: the prescan of an HTML part', () => {
  it.each([
    ['<meta charset=windows-1256>', 'windows-1256'],
    ['<META CHARSET="ISO-8859-6"/>', 'iso-8859-6'],
    ['<meta content="text/html; charset=cp1256" http-equiv=content-type>', 'cp1256'],
    ['<meta http-equiv="Content-Type" content=\'text/html;charset="koi8-r"\'>', 'koi8-r'],
    ['<p title="a>b"><meta charset=gbk>', 'gbk'],
    ['<!-- <meta charset=utf-8> --><!doctype html><meta name=x><meta charset=big5>', 'big5'],
  ])('reads %s', (html, charset) => {
    expect(metaCharset(Buffer.from(html, 'latin1'))).toBe(charset);
  });

  it.each([
    ['no meta', '<html><body>x</body></html>'],
    ['a Content-Type pragma without a charset', '<meta http-equiv=content-type content="text/html">'],
    ['a meta of another pragma', '<meta http-equiv=refresh content="0; charset=x">'],
    ['an unclosed comment', '<!-- <meta charset=gbk>'],
    ['a closing tag', '</meta charset=gbk>'],
  ])('finds nothing in %s', (_name, html) => {
    expect(metaCharset(Buffer.from(html, 'latin1'))).toBe(undefined);
  });

  it('reads the first 1,024 bytes only, in one pass', () => {
    const started = performance.now();
    const attributes = `<meta ${'a="'.repeat(300_000)}`;
    expect(metaCharset(Buffer.from(attributes, 'latin1'))).toBe(undefined);
    expect(metaCharset(Buffer.from(`${' '.repeat(1020)}<meta charset=gbk>`))).toBe(undefined);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
