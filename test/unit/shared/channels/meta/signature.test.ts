import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyHandshake, verifyMetaSignature } from '#shared/channels/meta/signature.js';

// providers.md §4.4: the exact bytes Meta signed, with its \u00f6 / \u00e4 / \/ escapes kept.
const SECRET = 'test_app_secret';
const RAW =
  '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"J\\u00f6rg"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST","timestamp":"1749416383","type":"text","text":{"body":"h\\u00e4llo \\/ <b>"}}]},"field":"messages"}]}]}';
const HEADER = 'sha256=9a5c9d1aca4e2ba45cf25664677cc12dc0013185eb267c1ee20aec8414fe0294';

describe('verifyMetaSignature', () => {
  it('uses the 430-byte body of the reference vector', () => {
    expect(Buffer.byteLength(RAW, 'utf8')).toBe(430);
  });

  it('accepts the reference signature over the raw string', () => {
    expect(verifyMetaSignature(RAW, HEADER, SECRET)).toBe(true);
  });

  it('accepts the reference signature over the raw bytes', () => {
    expect(verifyMetaSignature(new TextEncoder().encode(RAW), HEADER, SECRET)).toBe(true);
  });

  it('rejects the same body once re-serialised by JSON.parse and JSON.stringify', () => {
    const reserialised = JSON.stringify(JSON.parse(RAW));
    expect(reserialised).not.toBe(RAW);
    expect(verifyMetaSignature(reserialised, HEADER, SECRET)).toBe(false);
  });

  it('rejects a body whose signature was made with another secret', () => {
    const forged = `sha256=${createHmac('sha256', 'another_secret').update(RAW).digest('hex')}`;
    expect(verifyMetaSignature(RAW, forged, SECRET)).toBe(false);
  });

  it('rejects a body with one byte changed', () => {
    expect(verifyMetaSignature(RAW.replace('wamid.TEST', 'wamid.TESU'), HEADER, SECRET)).toBe(false);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['the bare hex without sha256=', HEADER.slice('sha256='.length)],
    ['a legacy sha1= header', `sha1=${createHmac('sha1', SECRET).update(RAW).digest('hex')}`],
    ['a truncated hex digest', HEADER.slice(0, -2)],
    ['an over-long hex digest', `${HEADER}00`],
    ['non-hex characters of the right length', `sha256=${'z'.repeat(64)}`],
    ['a header with non-ASCII text', `sha256=${'ä'.repeat(64)}`],
    ['an upper-case digest (Meta sends lowercase)', HEADER.toUpperCase()],
  ])('rejects %s', (_label, header) => {
    expect(verifyMetaSignature(RAW, header, SECRET)).toBe(false);
  });

  it('rejects everything when no app secret is configured', () => {
    const header = `sha256=${createHmac('sha256', '').update(RAW).digest('hex')}`;
    expect(verifyMetaSignature(RAW, header, '')).toBe(false);
  });
});

describe('verifyHandshake', () => {
  const TOKEN = 'my-verify-token';
  const query = (overrides: Record<string, string | undefined> = {}) => ({
    'hub.mode': 'subscribe',
    'hub.challenge': '1158201444',
    'hub.verify_token': TOKEN,
    ...overrides,
  });

  it('returns the challenge for subscribe with the right token', () => {
    expect(verifyHandshake(query(), TOKEN)).toBe('1158201444');
  });

  it('accepts a challenge of letters, digits, dash and underscore', () => {
    expect(verifyHandshake(query({ 'hub.challenge': 'abc_DEF-123' }), TOKEN)).toBe('abc_DEF-123');
  });

  it.each([
    ['a wrong token', { 'hub.verify_token': 'wrong-token' }],
    ['a token that is a prefix of ours', { 'hub.verify_token': 'my-verify' }],
    ['a missing token', { 'hub.verify_token': undefined }],
    ['mode unsubscribe', { 'hub.mode': 'unsubscribe' }],
    ['a missing mode', { 'hub.mode': undefined }],
    ['a missing challenge', { 'hub.challenge': undefined }],
    ['an empty challenge', { 'hub.challenge': '' }],
    ['a challenge carrying markup', { 'hub.challenge': '<script>alert(1)</script>' }],
    ['a challenge with a space', { 'hub.challenge': '115 8201444' }],
    ['a challenge longer than 256 characters', { 'hub.challenge': '1'.repeat(257) }],
  ])('refuses %s', (_label, overrides) => {
    expect(verifyHandshake(query(overrides), TOKEN)).toBeUndefined();
  });

  it('accepts a challenge of exactly 256 characters', () => {
    expect(verifyHandshake(query({ 'hub.challenge': '9'.repeat(256) }), TOKEN)).toBe('9'.repeat(256));
  });

  it('refuses every handshake when no verify token is configured', () => {
    expect(verifyHandshake(query({ 'hub.verify_token': '' }), '')).toBeUndefined();
  });
});
