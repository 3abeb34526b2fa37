import { describe, expect, it } from 'vitest';
import {
  boundEnvelope,
  MAX_ENVELOPE_BYTES,
  MAX_RAW_BYTES,
  MAX_TEXT_BYTES,
} from '#shared/channels/bounded-envelope.js';
import { type Envelope, EnvelopeParser } from '#shared/domain/envelope.js';

const message = (text: string, extra: Record<string, unknown> = {}): Envelope =>
  EnvelopeParser.parse({
    id: 'messenger:msg:m_1',
    provider: 'meta',
    channel: 'messenger',
    occurredAt: '2026-12-06T10:00:00.000Z',
    receivedAt: '2026-12-06T10:00:01.000Z',
    rawRef: 'meta:abc#/entry/0/messaging/0',
    raw: { message: { mid: 'm_1', text } },
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'm_1',
    customer: { kind: 'messenger', value: '1000001:6543210987654321' },
    contentType: 'text',
    text,
    attachments: [],
    ...extra,
  });

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('boundEnvelope', () => {
  it('leaves an envelope of ordinary size as it is (the same object)', () => {
    const envelope = message('Where is my order?');
    expect(boundEnvelope(envelope)).toEqual({ envelope, cut: [] });
    expect(boundEnvelope(envelope).envelope).toBe(envelope);
  });

  it('cuts an over-long text at a character, with a mark, and the raw event with it', () => {
    const text = `${'é'.repeat(80_000)}${'👨‍👩‍👧'.repeat(80_000)}`;
    const { envelope, cut, tooLarge } = boundEnvelope(message(text));
    expect(cut).toEqual(['text', 'raw']);
    expect(tooLarge).toBeUndefined();
    if (envelope.kind !== 'message') throw new Error('not a message');
    expect(envelope.text?.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(envelope.text ?? '', 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    // Whole characters only: what is kept before the mark starts the text and ends between two of them.
    const kept = (envelope.text ?? '').slice(0, -1);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept.endsWith('é') || kept.endsWith('👨‍👩‍👧')).toBe(true);
    expect(envelope.data).toEqual({ truncated: true, truncatedFields: ['text'], textLength: text.length });
    expect(bytes(envelope.raw)).toBeLessThanOrEqual(MAX_RAW_BYTES);
  });

  it('keeps a raw event of many long strings as a note of its size only', () => {
    const raw = { parts: Array.from({ length: 100 }, () => 'x'.repeat(5000)) };
    const { envelope, cut } = boundEnvelope(message('hi', { raw }));
    expect(cut).toEqual(['raw']);
    expect(envelope.raw).toEqual({ omitted: 'larger than 320 KiB', bytes: bytes(raw) });
  });

  it('says an envelope too large once cut is too large (its caller skips it)', () => {
    const data = { payloads: Array.from({ length: 80 }, () => 'y'.repeat(10_000)) };
    const { tooLarge } = boundEnvelope(message('z'.repeat(MAX_TEXT_BYTES + 10), { data }));
    expect(tooLarge).toBeGreaterThan(MAX_ENVELOPE_BYTES);
  });
});
