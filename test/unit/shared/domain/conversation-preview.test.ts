import { describe, expect, it } from 'vitest';
import { PREVIEW_CHARACTERS, previewOf } from '#shared/domain/conversation-preview.js';

const message = { type: 'message' as const, channel: 'whatsapp' as const };

describe('previewOf', () => {
  it.each([
    ['a short message as it is', 'Can I change the delivery address?', 'Can I change the delivery address?'],
    ['white space folded', '  Hello\n\n  there\tfriend  ', 'Hello there friend'],
    [
      'a long message cut at a word, with an ellipsis',
      'My order #1042 has not arrived yet, and the tracking page has said nothing at all since Monday.',
      'My order #1042 has not arrived yet, and the tracking page…',
    ],
    ['one long word cut inside it', 'x'.repeat(200), `${'x'.repeat(PREVIEW_CHARACTERS - 1)}…`],
    ['no emoji split in two', `${'a'.repeat(58)}😀😀😀`, `${'a'.repeat(58)}😀…`],
  ])('keeps %s', (_, text, preview) => {
    const got = previewOf({ ...message, text });
    expect(got).toBe(preview);
    expect([...(got ?? '')].length).toBeLessThanOrEqual(PREVIEW_CHARACTERS);
  });

  it.each([
    ['a family emoji', `ab${'👨‍👩‍👧‍👦'.repeat(60)}`],
    ['a flag', '🇯🇵'.repeat(40)],
    ['an accent written as a combining mark', 'e\u0301'.repeat(40)],
    ['a skin tone', '👍🏽'.repeat(40)],
    ['a Devanagari vowel sign', 'किताबें'.repeat(12)],
  ])('never cuts %s in half', (_, text) => {
    const got = previewOf({ ...message, text }) ?? '';
    const kept = got.endsWith('…') ? got.slice(0, -1) : got;
    // What is kept is whole user-perceived characters of the message: the message starts with it and
    // continues between two of them.
    expect(text.startsWith(kept)).toBe(true);
    const graphemes = [...new Intl.Segmenter().segment(text)].map((s) => s.segment);
    let joined = '';
    for (const g of graphemes) {
      if (joined.length >= kept.length) break;
      joined += g;
    }
    expect(joined).toBe(kept);
    expect(kept.length).toBeGreaterThan(0);
    // At most 240 bytes on the conversation item, as when a preview was 60 code points.
    expect(Buffer.byteLength(got)).toBeLessThanOrEqual(240);
  });

  it("takes an email's subject before its text", () => {
    const mail = { type: 'message' as const, channel: 'email' as const, text: 'Hi,\nplease see below' };
    expect(previewOf({ ...mail, data: { subject: 'Invoice 77 is wrong' } })).toBe('Invoice 77 is wrong');
    expect(previewOf({ ...mail, data: { subject: '  ' } })).toBe('Hi, please see below');
  });

  it('reads a bounded part of a very long message', () => {
    const text = `${'word '.repeat(200_000)}end`;
    expect(previewOf({ ...message, text })?.endsWith('…')).toBe(true);
  });

  it('gives none for a message without words, or for an event or a note', () => {
    expect(previewOf({ ...message })).toBeUndefined();
    expect(previewOf({ ...message, text: ' \n ' })).toBeUndefined();
    expect(previewOf({ ...message, text: '\u200b\u3000\u2060' })).toBeUndefined();
    expect(previewOf({ type: 'event', channel: 'whatsapp', text: 'edited' })).toBeUndefined();
    expect(previewOf({ type: 'note', text: 'a note' })).toBeUndefined();
  });
});

describe('previewOf a call', () => {
  const call = { type: 'event' as const, channel: 'voice' as const };
  it('gives a voicemail its length, so the inbox row says what waits; nothing for an empty one or a ring', () => {
    // Before, a voicemail's conversation had no preview: the row read only the number and "Voice".
    expect(previewOf({ ...call, event: 'call_voicemail', data: { durationSeconds: 33 } })).toBe(
      'Voicemail (33 s)',
    );
    expect(previewOf({ ...call, event: 'call_voicemail', data: { durationSeconds: 1 } })).toBeUndefined();
    expect(previewOf({ ...call, event: 'call_ringing' })).toBeUndefined();
    expect(previewOf({ ...call, event: 'call_missed' })).toBeUndefined();
  });
});

describe('previewOf a message without words', () => {
  it.each([
    [
      'a WhatsApp photo alone',
      { channel: 'whatsapp', contentType: 'image', attachments: [{ kind: 'image', mediaId: 'm1' }] },
      'Photo',
    ],
    [
      'a Messenger photo alone',
      {
        channel: 'messenger',
        contentType: 'image',
        attachments: [{ kind: 'image', url: 'https://x.example/a.jpg' }],
        data: { attachmentTypes: ['image'] },
      },
      'Photo',
    ],
    ['a voice note', { channel: 'whatsapp', contentType: 'audio' }, 'Audio'],
    [
      'a story mention',
      {
        channel: 'instagram',
        contentType: 'document',
        attachments: [{ kind: 'file', url: 'https://x.example/s' }],
        data: { attachmentTypes: ['story_mention'] },
      },
      'Mentioned you in their story',
    ],
    [
      'a shared post',
      {
        channel: 'instagram',
        contentType: 'document',
        attachments: [{ kind: 'file', url: 'https://x.example/p' }],
        data: { attachmentTypes: ['share'] },
      },
      'Shared a post',
    ],
    [
      'a lone ad referral',
      {
        channel: 'messenger',
        contentType: 'unsupported',
        data: {
          unsupportedType: 'referral',
          referral: { ref: 'ad_123', source: 'ADS', type: 'OPEN_THREAD' },
        },
      },
      'Came from an ad',
    ],
    [
      'a link referral',
      {
        channel: 'messenger',
        contentType: 'unsupported',
        data: { referral: { ref: 'summer', source: 'SHORTLINK' } },
      },
      'Came from a link',
    ],
    ['a place', { channel: 'whatsapp', contentType: 'location', text: '  ' }, 'Location'],
  ] as const)('names %s', (_, item, preview) => {
    expect(previewOf({ type: 'message', ...item } as Parameters<typeof previewOf>[0])).toBe(preview);
  });

  it('keeps the words when there are any, and names nothing unsupported', () => {
    expect(
      previewOf({ type: 'message', channel: 'whatsapp', contentType: 'image', text: 'my receipt' }),
    ).toBe('my receipt');
    expect(
      previewOf({ type: 'message', channel: 'instagram', contentType: 'unsupported', data: {} }),
    ).toBeUndefined();
  });
});
