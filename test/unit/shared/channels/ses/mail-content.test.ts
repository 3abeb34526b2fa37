import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  cutAtBoundary,
  htmlToText,
  isAutoReply,
  isListMail,
  mailContent,
  messageIds,
  multipartBoundaries,
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
  ])('flags %s as automatic mail, and as list mail', async (_name, headers) => {
    const mail = await content(headers);
    expect(isAutoReply(mail)).toBe(true);
    expect(isListMail(mail)).toBe(true);
  });

  it('does not flag a person’s mail, nor an auto-reply as list mail', async () => {
    expect(isListMail(await content([]))).toBe(false);
    expect(isAutoReply(await content([]))).toBe(false);
    expect(isListMail(await content(['Auto-Submitted: auto-replied']))).toBe(false);
  });
});
