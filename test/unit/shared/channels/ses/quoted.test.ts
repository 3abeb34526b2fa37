import { describe, expect, it } from 'vitest';
import { splitQuoted } from '#shared/channels/ses/quoted.js';
import { emailFixture, mimeContent } from '../../../../support/mail-fixture.js';

describe('splitQuoted', () => {
  it.each([
    [
      'no quote',
      'Hello,\n\nmy order has not arrived.\n\nJane',
      'Hello,\n\nmy order has not arrived.\n\nJane',
      false,
    ],
    ['a top-posted reply over > lines', 'Thanks!\n\n> Your order shipped.\n> Tracking: 123', 'Thanks!', true],
    [
      'an Outlook "Original Message" block',
      'See below.\n\n-----Original Message-----\nFrom: Support <care@example.com>\nSent: Monday\nTo: Jane\nSubject: Order',
      'See below.',
      true,
    ],
    [
      'an Outlook From/Sent block',
      'Still waiting.\n\n________________________________\nFrom: Support <care@example.com>\nSent: Monday, 3 June\nTo: Jane\nSubject: Order',
      'Still waiting.',
      true,
    ],
    [
      'a German attribution',
      'Danke!\n\nAm 3. Juni 2024 um 10:00 schrieb Support <care@example.com>:\n> Hallo',
      'Danke!',
      true,
    ],
    [
      'an unknown attribution ending in wrote:',
      'Got it.\n\nThe Support Team wrote:\n> Hi Jane',
      'Got it.',
      true,
    ],
    [
      'a bottom-posted reply',
      'On Mon, 3 Jun 2024 at 10:00, Support <care@example.com> wrote:\n> Did it arrive?\n\nYes, this morning.',
      'Yes, this morning.',
      true,
    ],
    [
      'a forward, left whole',
      'FYI\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\nDate: Mon\nSubject: Order\nTo: Jane\n\n> not a quote',
      'FYI\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\nDate: Mon\nSubject: Order\nTo: Jane\n\n> not a quote',
      false,
    ],
  ])('splits %s', (_name, body, text, quoted) => {
    expect(splitQuoted(body)).toEqual({ text, full: body, quoted });
  });

  // A customer's own sentence that starts "On" and ends "wrote:" is no attribution: nothing quoted
  // follows it and it names no address. Before, everything below it was cut from the text the agent
  // and the AI read (the AI answered "How can I help you today?" to "Hello,").
  it('keeps a sentence of the customer that merely reads like an attribution', () => {
    const body =
      'Hello,\n\nOn Monday the courier left this note and wrote:\nThe box was already damaged.\n' +
      'I would like a replacement, order 7781.\n\nAda';
    expect(splitQuoted(body)).toEqual({ text: body, full: body, quoted: false });
  });

  it('still cuts at an attribution that names an address, with nothing quoted under it', () => {
    const body =
      'Thanks!\n\nOn Fri, 4 Dec 2026 at 18:00, Support <care@example.com> wrote:\n\nYour order shipped.';
    expect(splitQuoted(body).text).toBe('Thanks!');
  });

  // Outlook forwards a mail under the same rule and From/Sent/To/Subject block as it quotes one in a
  // reply: only the subject (FW:, WG:, TR:...) tells them apart. What is forwarded is what the sender
  // wants read; before, the agent saw "please see below" and nothing below.
  it.each([
    'FW: Your parcel could not be delivered',
    'Fwd: Your parcel could not be delivered',
    'WG: Ihr Paket',
    'TR : Votre colis',
    'RV: Su paquete',
  ])('leaves an Outlook forward whole (subject %s)', (subject) => {
    const body =
      'Please see below. What should I do?\n\n________________________________\n' +
      'From: Parcel Service <noreply@parcels.example>\nSent: Friday, December 4, 2026 6:00 PM\n' +
      'To: Tom <tom@corp.example>\nSubject: Your parcel could not be delivered\n\n' +
      'The address is incomplete. Pick it up before December 10.';
    expect(splitQuoted(body, { subject })).toEqual({ text: body, full: body, quoted: false });
  });

  it('cuts the same block from a reply to a forward (RE: FW:)', () => {
    const body =
      'Done, thanks.\n\n________________________________\nFrom: Support <care@example.com>\n' +
      'Sent: Friday, December 4, 2026 6:00 PM\nTo: Tom\nSubject: FW: Parcel';
    expect(splitQuoted(body, { subject: 'RE: FW: Parcel' }).text).toBe('Done, thanks.');
  });

  // Outlook writes the quoted mail's header block in the sender's language; French puts a space before
  // the colon. Before, only English, German, Spanish and Italian blocks were cut, and the agent read the
  // whole history under a Dutch, Polish, Swedish, French or Japanese customer's answer.
  it.each([
    [
      'French',
      'De : Support <care@example.com>\nEnvoyé : jeudi 3 décembre 2026 09:12\nÀ : Paul\nObjet : Retour',
    ],
    [
      'Dutch',
      'Van: Support <care@example.com>\nVerzonden: donderdag 3 december 2026 09:12\nAan: Paul\nOnderwerp: Retour',
    ],
    [
      'Polish',
      'Od: Support <care@example.com>\nWysłano: czwartek, 3 grudnia 2026 09:12\nDo: Paweł\nTemat: Zwrot',
    ],
    [
      'Swedish',
      'Från: Support <care@example.com>\nSkickat: den 3 december 2026 09:12\nTill: Per\nÄmne: Retur',
    ],
    ['Danish', 'Fra: Support <care@example.com>\nSendt: 3. december 2026 09:12\nTil: Per\nEmne: Retur'],
    [
      'Portuguese',
      'De: Support <care@example.com>\nEnviado: quinta-feira, 3 de dezembro de 2026 09:12\nPara: Ana\nAssunto: Devolução',
    ],
    ['Japanese', '差出人: Support <care@example.com>\n送信日時: 2026年12月3日 9:12\n宛先: 山田\n件名: 返品'],
  ])('cuts a %s Outlook header block', (_language, block) => {
    const body = `Merci, cela me convient.\n\n${block}\n\nNous proposons un remboursement.`;
    expect(splitQuoted(body).text).toBe('Merci, cela me convient.');
  });

  // An HTML-only Outlook reply: its <hr> over the block is a line of 40 dashes once turned to text.
  // Before, the cut came at From: and the agent's text ended in the dashes.
  it('cuts at the rule an HTML Outlook reply draws over its block', () => {
    const body =
      'Please send the invoice.\n\nJan\n\n----------------------------------------\n\n' +
      'From: Support <care@example.com>\nSent: Friday, December 4, 2026 6:00 PM\nTo: Jan\nSubject: Invoice';
    expect(splitQuoted(body).text).toBe('Please send the invoice.\n\nJan');
  });

  // Gmail writes its attribution in the reader's language, and many have no "wrote": only an address
  // and a colon above the quote. Before, the line stayed at the end of the customer's text.
  it.each([
    ['Japanese', '2026年12月4日(金) 18:00 Shop Support <support@shop.example>:'],
    ['Swedish', 'Den fre 4 dec. 2026 kl 18:00 skrev Shop Support <support@shop.example>:'],
    ['Polish', 'W dniu pt., 4 gru 2026 o 18:00 Shop Support <support@shop.example> napisał(a):'],
    ['Russian', 'пт, 4 дек. 2026 г. в 18:00, Shop Support <support@shop.example>:'],
    ['Chinese', 'Shop Support <support@shop.example> 于2026年12月4日周五 18:00写道：'],
    ['wrapped', '2026年12月4日(金) 18:00 Shop Support <\nsupport@shop.example>:'],
  ])('drops a %s attribution above the quote', (_language, attribution) => {
    const body = `まだ届きません。\n\n${attribution}\n\n> ご注文ありがとうございます。`;
    expect(splitQuoted(body).text).toBe('まだ届きません。');
  });

  it('normalises CRLF and trailing whitespace', () => {
    expect(splitQuoted('\r\nHi  \r\n\r\n> old\r\n').text).toBe('Hi');
  });
});

// Outlook writes its header block in the sender's language, and no list holds them all: a rule of
// underscores or dashes over three or more `Label: value` lines, one naming an address, is the block
// in any language. Before, a Finnish, Hungarian, Greek or Arabic reply kept its whole history in text.
describe('splitQuoted: an Outlook header block in a language not listed', () => {
  const RULE = '________________________________';
  it.each([
    [
      'Finnish',
      'Lähettäjä: Shop Support <support@shop.example>\nLähetetty: sunnuntai 6. joulukuuta 2026 10.06\nVastaanottaja: Aino <aino@ex.test>\nAihe: Re: Tilaus 55',
    ],
    [
      'Hungarian',
      'Feladó: Shop Support <support@shop.example>\nElküldve: 2026. december 6., vasárnap 10:06\nCímzett: Anna <anna@ex.test>\nTárgy: Re: Rendelés 55',
    ],
    [
      'Greek',
      'Από: Shop Support <support@shop.example>\nΣτάλθηκε: Κυριακή, 6 Δεκεμβρίου 2026 10:06 πμ\nΠρος: Ελένη <eleni@ex.test>\nΘέμα: Re: Παραγγελία 55',
    ],
    [
      'Arabic',
      'من: Shop Support <support@shop.example>\nتم الإرسال: الأحد، 6 ديسمبر 2026 10:06 ص\nإلى: Omar <omar@ex.test>\nالموضوع: Re: طلب 55',
    ],
    [
      'Arabic with direction marks',
      '\u200fمن: Shop Support <support@shop.example>\n\u200fتم الإرسال: الأحد، 6 ديسمبر 2026 10:06 ص\n\u200fإلى: Omar\n\u200fالموضوع: طلب 55',
    ],
  ])('cuts a %s block under its rule', (_language, block) => {
    const body = `Kiitos, odotan.\n\n${RULE}\n${block}\n\nHei, tilauksesi lähtee huomenna.`;
    expect(splitQuoted(body)).toEqual({ text: 'Kiitos, odotan.', full: body, quoted: true });
  });

  it('cuts one under the line of dashes an HTML reply draws', () => {
    const body = `Köszönöm!\n\n${'-'.repeat(40)}\n\nFeladó: Shop <support@shop.example>\nElküldve: 2026. december 6. 10:06\nCímzett: Anna\nTárgy: Rendelés`;
    expect(splitQuoted(body).text).toBe('Köszönöm!');
  });

  it.each([
    ['two label lines only', `${RULE}\nNote: call <a@b.example>\nOrder: 55\n\nMore text.`],
    ['no address among them', `${RULE}\nName: Aino\nOrder: 55\nCity: Oulu\n\nMore text.`],
    ['no rule over them', 'Name: Aino <aino@ex.test>\nOrder: 55\nCity: Oulu\nZip: 90100'],
    // A contact form's mail lays its fields out so: the address is not first, or no date follows it.
    [
      "a form's fields",
      `${'-'.repeat(30)}\nName: Aino Virtanen\nEmail: aino@ex.test\nPhone: 040 123 4567\nMessage: Where is order 55?`,
    ],
    [
      "a form's fields, the address first",
      `${'-'.repeat(30)}\nEmail: aino@ex.test\nName: Aino Virtanen\nOrder: 55\nMessage: Where is it?`,
    ],
  ])('keeps label lines that are no header block: %s', (_name, tail) => {
    const body = `My details:\n\n${tail}`;
    expect(splitQuoted(body)).toEqual({ text: body, full: body, quoted: false });
  });
});

// A customer who answers between the quoted lines writes their words among ours: the questions are
// what the answers mean. Before, the text was the line above the first quote ("Answers inline
// below.") and the answers were lost to the agent and the AI; without that line the answers were
// kept but not the questions they answer.
describe('splitQuoted: answers written between the quoted lines', () => {
  const ATTRIBUTION = 'On Thu, Dec 10, 2026 at 10:00 AM Shop Support <support@shop.example> wrote:';
  const INLINE = [
    '> Can you confirm your delivery address?',
    '',
    'Calle Mayor 5, 28013 Madrid',
    '',
    '> And the order number?',
    '',
    'It is 4242.',
    '',
    '> Anything else?',
    '',
    'Yes, please gift-wrap it.',
  ].join('\n');

  it('keeps the answers with the questions they answer, without the attribution', () => {
    const body = `Answers inline below.\n\n${ATTRIBUTION}\n${INLINE}`;
    expect(splitQuoted(body)).toEqual({
      text: `Answers inline below.\n\n${INLINE}`,
      full: body,
      quoted: true,
    });
  });

  it('keeps them when nothing stands above the first quote', () => {
    const body = `${ATTRIBUTION}\n${INLINE}`;
    expect(splitQuoted(body)).toEqual({ text: INLINE, full: body, quoted: true });
  });

  it('ends at the last answer: the rest of the history and the signature under it are cut', () => {
    const body = `${INLINE}\n\n> Best, Shop Support\n>\n> On Mon, Ada <ada@ex.test> wrote:\n>> Where is it?\n\n-- \nAda`;
    expect(splitQuoted(body).text).toBe(INLINE);
  });

  it('keeps the signature that follows the last answer', () => {
    const body = `${INLINE}\n\n-- \nAda Lovelace`;
    // Trailing blanks are cut from every line: the delimiter's space too.
    expect(splitQuoted(body).text).toBe(`${INLINE}\n\n--\nAda Lovelace`);
  });

  it('drops a "… wrote:" line over a later quote', () => {
    const body = 'Hi.\n\n> Q1?\n\nA1.\n\nShop Support <support@shop.example>:\n> Q2?\n\nA2.';
    expect(splitQuoted(body).text).toBe('Hi.\n\n> Q1?\n\nA1.\n\n> Q2?\n\nA2.');
  });

  // One quote with the customer's words above and below it: the words below are kept too, the quote
  // not (a footer added under the quote would otherwise bring the whole history to the AI).
  it('keeps the words above and below a single quote, without it', () => {
    const body = `Answer below.\n\n${ATTRIBUTION}\n> Can you confirm your delivery address?\n\nCalle Mayor 5, 28013 Madrid`;
    expect(splitQuoted(body).text).toBe('Answer below.\n\nCalle Mayor 5, 28013 Madrid');
  });

  it('leaves out a signature Gmail writes under the quote', () => {
    const body = 'Yes, step by step.\n\n> Any update?\n>\n\n--\nSony\nDeveloper';
    expect(splitQuoted(body).text).toBe('Yes, step by step.');
  });
});

// A reply that adds nothing to what it quotes (a photo sent as a reply, our own mail sent back): it
// has no new text, and the history stays in `full`. Before, the quote was the text, and the AI
// answered the customer's old question again.
describe('splitQuoted: nothing but a quote', () => {
  it.each([
    ['> lines', '> Did it arrive?\n> Tell us.'],
    [
      'an attribution over > lines',
      'On Thu, Dec 10, 2026 at 10:00 AM Quinn <quinn@ex.test> wrote:\n\n> Hello, my order 1234 has not arrived.',
    ],
    [
      'an Outlook block',
      '________________________________\nFrom: Shop Support <support@shop.example>\nSent: Friday\nTo: Quinn\nSubject: Order 1234\n\nYour order ships tomorrow.',
    ],
    ['an Original Message block', '-----Original Message-----\nFrom: Shop <support@shop.example>\n\nHello'],
  ])('has no new text: %s', (_name, body) => {
    expect(splitQuoted(body)).toEqual({ text: '', full: body, quoted: true });
  });

  it('keeps the whole of a longer body than it reads: an answer may stand below', () => {
    const body = `${'> old\n'.repeat(6000)}New words at the end.`;
    expect(splitQuoted(body)).toEqual({ text: body, full: body, quoted: false });
  });
});

// Arabic replies: Outlook writes the Sent date in Arabic-Indic digits (٢٠٢٦ ١٠:٠٠), and clients set a
// right-to-left mark after an attribution's colon. Before, both kept the whole history in the text
// the agent and the AI read.
describe('splitQuoted: Arabic replies', () => {
  it('cuts an Outlook block whose Sent line is in Arabic-Indic digits', async () => {
    const mail = await mimeContent(emailFixture('arabic-outlook-reply.eml'));
    const split = splitQuoted(mail.body ?? '', { subject: mail.subject });
    expect(split).toMatchObject({ text: 'شكرا جزيلا، توصلت بالطلبية.', quoted: true });
  });

  it.each([
    ['Arabic-Indic', '٦ ديسمبر ٢٠٢٦ ١٠:٠٦'],
    ['Eastern Arabic-Indic (Persian, Urdu)', '۶ دسامبر ۲۰۲۶ ۱۰:۰۶'],
  ])('takes a date in %s digits as the Sent line', (_digits, date) => {
    const body = `ممنون.\n\n${'_'.repeat(32)}\nاز: Shop <support@shop.example>\nارسال: ${date}\nبه: Omid\nموضوع: سفارش`;
    expect(splitQuoted(body).text).toBe('ممنون.');
  });

  it('cuts an attribution whose colon a right-to-left mark follows', async () => {
    const mail = await mimeContent(emailFixture('arabic-rlm-attribution.eml'));
    const split = splitQuoted(mail.body ?? '', { subject: mail.subject });
    expect(split).toMatchObject({ text: 'شكرا، وصلني الطلب اليوم.', quoted: true });
  });

  it.each(['\u200e', '\u200f\u200f', '\u2069', '\u202c \u200f'])(
    'cuts one ending in other direction marks (%j)',
    (marks) => {
      const body = `Merci.\n\nLe lun. 7 déc. 2026, Shop <support@shop.example> a écrit :${marks}\n> Bonjour`;
      expect(splitQuoted(body).text).toBe('Merci.');
    },
  );

  it('reads a line of 100,000 direction marks in linear time', () => {
    const body = `Merci.\n\n${'\u200f'.repeat(100_000)}x\n> Bonjour`;
    const started = performance.now();
    expect(splitQuoted(body).text).toBe(`Merci.\n\n${'\u200f'.repeat(100_000)}x`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
