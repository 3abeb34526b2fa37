import { describe, expect, it } from 'vitest';
import { htmlToText, messageIds } from '#shared/channels/ses/mail-content.js';
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
