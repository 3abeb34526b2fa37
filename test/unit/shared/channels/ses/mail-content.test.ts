import { readFileSync } from 'node:fs';
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { cutAtBoundary, htmlToText, multipartBoundaries } from '#shared/channels/ses/mail-body.js';
import {
  isAutoReply,
  isListMail,
  isSentForAPerson,
  mailContent,
  messageIds,
  parseMime,
} from '#shared/channels/ses/mail-content.js';
import { splitQuoted } from '#shared/channels/ses/quoted.js';

describe('htmlToText', () => {
  it('keeps headings in their case, drops images, and turns a Gmail quote into > lines', () => {
    const html =
      '<h2>Order 42</h2><div dir="ltr">Yes &amp; thanks</div><img src="cid:logo"><div class="gmail_quote">' +
      '<div class="gmail_attr">On Mon, Support &lt;<a href="mailto:care@example.com">care@example.com</a>&gt; wrote:<br></div>' +
      '<blockquote class="gmail_quote"><p>Did it arrive?</p></blockquote></div>';
    const text = htmlToText(html);
    expect(text).toBe(
      'Order 42\n\nYes & thanks\nOn Mon, Support <care@example.com> wrote:\n\n\n> Did it arrive?',
    );
    expect(splitQuoted(text).text).toBe('Order 42\n\nYes & thanks');
  });
});

describe('messageIds', () => {
  it.each([
    ['<a@x> <b@y>', ['<a@x>', '<b@y>']],
    ['<a@x>, <a@x>', ['<a@x>']],
    ['<a@x>\r\n  <b@y>', ['<a@x>', '<b@y>']],
    ['custom-message-ID', ['custom-message-ID']],
    [
      ['<a@x>', '<b@y>'],
      ['<a@x>', '<b@y>'],
    ],
    [undefined, []],
    // An id is a DynamoDB key (2048 bytes at most): one over 998 UTF-8 bytes is dropped, whatever its length in characters.
    [`<${'é'.repeat(600)}@x> <ok@y>`, ['<ok@y>']],
  ])('reads %j', (value, ids) => {
    expect(messageIds(value)).toEqual(ids);
  });
});

describe('htmlToText: layout tables', () => {
  it('keeps text a table holds outside its cells, and every cell', () => {
    const text = htmlToText(
      '<table width="100%"><p>Your refund of $40 was approved.</p><tr><td>— The Team</td></tr></table>',
    );
    expect(text).toBe('Your refund of $40 was approved.\n\n— The Team');
  });

  it('puts each cell of a data table on its own line', () => {
    const text = htmlToText(
      '<table><tr><td>Item</td><td>Qty</td></tr><tr><td>Shoe</td><td>2</td></tr></table>',
    );
    expect(text).toBe('Item\nQty\nShoe\n2');
  });
});

describe('cutAtBoundary', () => {
  const mime = Buffer.from(
    'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n--outer\r\n' +
      'Content-Type: multipart/related;\r\n boundary=middle\r\n\r\n--middle\r\n' +
      'Content-Type: multipart/alternative; boundary="inner one"\r\n',
  );

  it('reads the boundary every multipart declares, quoted or not', () => {
    expect([...multipartBoundaries(mime)]).toEqual(['outer', 'middle', 'inner one']);
  });

  it.each([
    ['Hi\n\n--middle\nContent-Type: image/jpeg\n', 'Hi\n\n'],
    ['Hi\n--outer--  \nrest', 'Hi\n'],
    ['Hi\n--inner one\r\nrest', 'Hi\n'],
  ])('cuts %j at the first boundary line', (text, kept) => {
    expect(cutAtBoundary(text, multipartBoundaries(mime))).toBe(kept);
  });

  it.each(['Thanks\n-- \nJane, a signature', 'see --outer in the line', '--outerwear sale\n--middle-aged'])(
    'keeps %j whole: no line of it is a boundary',
    (text) => {
      expect(cutAtBoundary(text, multipartBoundaries(mime))).toBe(text);
    },
  );
});

describe('isAutoReply: mailing lists and newsletters', () => {
  const content = async (headers: string[]) =>
    mailContent(
      (await parseMime(
        Buffer.from(
          [
            'From: Lists <news@shop.example>',
            'To: support@acme.example',
            'Subject: Weekly digest',
            ...headers,
            'Content-Type: text/plain',
            '',
            'Hello all',
            '',
          ].join('\r\n'),
        ),
      )) as ParsedMail,
    );

  it.each([
    // Mailman's headers (Precedence: list and the RFC 2369/2919 fields), as a list delivers them.
    ['a Mailman post', ['Precedence: list', 'List-Id: <qemu-devel.nongnu.org>']],
    ['a list post with only List-Id (RFC 2919)', ['List-Id: <linux-kernel.vger.kernel.org>']],
    ['a newsletter with List-Unsubscribe (RFC 2369)', ['List-Unsubscribe: <mailto:u@shop.example>']],
    ['a list with only List-Post', ['List-Post: <mailto:group@lists.example>']],
    ['Precedence: list alone', ['Precedence: list']],
  ])('flags %s as list mail sent for a person, not an auto-reply', async (_name, headers) => {
    const mail = await content(headers);
    expect(isAutoReply(mail)).toBe(false);
    expect(isSentForAPerson(mail)).toBe(true);
    expect(isListMail(mail)).toBe(true);
  });

  it('does not flag a person’s mail, nor an auto-reply as list mail', async () => {
    expect(isListMail(await content([]))).toBe(false);
    expect(isAutoReply(await content([]))).toBe(false);
    expect(isListMail(await content(['Auto-Submitted: auto-replied']))).toBe(false);
  });
});

describe('parseMime: Windows-1252 bytes under a UTF-8 label', () => {
  const fixture = (name: string) =>
    readFileSync(new URL(`../../../../fixtures/email/${name}`, import.meta.url));
  const contentOf = async (mime: Buffer) => {
    const parsed = await parseMime(mime);
    if (!parsed) throw new Error('unreadable MIME');
    return mailContent(parsed, mime);
  };

  // Before, every such byte read as U+FFFD: `Ma commande n�12 est arriv�e ab�m�e`.
  it('reads the parts, the From name and the Subject as Windows-1252 when they are not UTF-8', async () => {
    const content = await contentOf(fixture('latin1-labelled-utf8.eml'));
    expect(content.from).toEqual({ address: 'renee@example.fr', name: 'Renée Lévesque' });
    expect(content.subject).toBe('Réclamation commande n°12');
    expect(content.body).toBe(
      "Bonjour,\n\nMa commande n°12 est arrivée abîmée. Le coût du retour : 12 € ?\n“Merci” d'avance,\nRenée\n",
    );
    const parsed = await parseMime(fixture('latin1-labelled-utf8.eml'));
    expect(parsed?.html).toContain('Le coût du retour : 12 € ?</p><p>“Merci” d');
  });

  it('keeps what is UTF-8 as UTF-8: only the part or header that is not is read otherwise', async () => {
    const content = await contentOf(fixture('latin1-headers-utf8-body.eml'));
    expect(content.from).toEqual({ address: 'juergen@example.de', name: 'Jürgen Krämer' });
    expect(content.subject).toBe('Lieferung für Bestellung 12');
    expect(content.body).toBe('Hallo,\ndie Lieferung kam nicht an. Grüße – Jürgen ✓\n');
  });

  it('leaves a mail that is UTF-8 throughout, U+FFFD and all, as it is', async () => {
    const mime = Buffer.from(
      'From: a@example.com\r\nSubject: caf\u00e9 \uFFFD\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGr\u00fc\u00dfe \uFFFD\r\n',
      'utf8',
    );
    const content = await contentOf(mime);
    expect(content.subject).toBe('caf\u00e9 \uFFFD');
    expect(content.body).toBe('Gr\u00fc\u00dfe \uFFFD\n');
  });

  it('reads a text part that names no charset as Windows-1252 when it is not UTF-8', async () => {
    const mime = Buffer.from(
      'From: a@example.com\r\nContent-Type: text/plain\r\n\r\nCaf\xe9 \x80 5\r\n',
      'latin1',
    );
    expect((await contentOf(mime)).body).toBe('Café € 5\n');
  });
});
