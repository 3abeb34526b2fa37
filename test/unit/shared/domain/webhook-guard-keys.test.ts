import { describe, expect, it } from 'vitest';
import { eventGuardsOf, normalisedUrl } from '#shared/domain/webhook-guard-keys.js';

describe('normalisedUrl', () => {
  it.each([
    ['an empty query', 'http://127.0.0.1:47129/er?'],
    ['an escaped unreserved letter', 'http://127.0.0.1:47129/%65r'],
    ['a lower-case escape of a letter', 'http://127.0.0.1:47129/%65%72'],
    ['a fragment and the scheme in capitals', 'HTTP://127.0.0.1:47129/er#top'],
  ])('gives the URL with %s the same form as the plain one', (_, url) => {
    expect(normalisedUrl(url)).toBe(normalisedUrl('http://127.0.0.1:47129/er'));
  });

  it('decodes unreserved escapes in the query, and keeps the reserved ones (hex in capitals)', () => {
    expect(normalisedUrl('https://crm.example.com/in?a=%7E%2fb')).toBe('https://crm.example.com/in?a=~%2Fb');
    expect(normalisedUrl('https://crm.example.com/a%2Fb')).toBe('https://crm.example.com/a%2Fb');
    expect(normalisedUrl('https://crm.example.com/a%2fb')).toBe('https://crm.example.com/a%2Fb');
    expect(normalisedUrl('https://crm.example.com/a%20b')).toBe('https://crm.example.com/a%20b');
    expect(normalisedUrl('https://u:p@crm.example.com/in')).not.toBe(
      normalisedUrl('https://crm.example.com/in'),
    );
    // A query that is there stays: another URL.
    expect(normalisedUrl('https://crm.example.com/in?x')).not.toBe(
      normalisedUrl('https://crm.example.com/in'),
    );
  });

  it('gives equivalent URLs the same guards', () => {
    const events = ['message.received' as const];
    expect(eventGuardsOf({ url: 'http://127.0.0.1:47129/%65r?', events })).toEqual(
      eventGuardsOf({ url: 'http://127.0.0.1:47129/er', events }),
    );
  });
});
