import { describe, expect, it } from 'vitest';
import { refusedAddress, refusedUrl } from '#shared/domain/webhook-url.js';

const aws = { allowLoopbackHttp: false };
const local = { allowLoopbackHttp: true };

describe('refusedUrl', () => {
  it.each([
    'https://hooks.example.com/threadline',
    'https://hooks.example.com:8443/a?b=c',
    'https://93.184.216.34/hook',
  ])('accepts %s', (url) => {
    expect(refusedUrl(url, aws)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.com/', 'https only'],
    ['ftp://hooks.example.com/', 'https only'],
    ['https://user:pw@hooks.example.com/', 'no credentials'],
    ['https://10.0.0.5/', 'private'],
    ['https://172.16.3.4/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://2130706433/', 'loopback'],
    ['https://0x7f.1/', 'loopback'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://100.64.0.1/', 'private'],
    ['https://0.0.0.0/', 'private'],
    ['https://[::1]/', 'loopback'],
    ['https://[fd00:ec2::254]/', 'private'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://[::ffff:10.0.0.1]/', 'private'],
    // IPv4-compatible (::/96) and IPv4-translated (::ffff:0:0:0/96) forms carry an IPv4 address too.
    ['https://[::a9fe:a9fe]/', 'private'],
    ['https://[::10.0.0.1]/', 'private'],
    ['https://[::ffff:0:a9fe:a9fe]/', 'private'],
    ['https://[64:ff9b::a9fe:a9fe]/', 'private'],
    ['https://[2002:a9fe:a9fe::1]/', 'private'],
    ['https://localhost/', 'not a public host'],
    ['https://api.localhost/', 'not a public host'],
    ['https://metadata.google.internal/', 'not a public host'],
    ['https://intranet/', 'not a public host'],
    ['http://127.0.0.1:8080/hook', 'https only'],
    ['not a url', 'not a URL'],
  ])('refuses %s on AWS', (url, reason) => {
    expect(refusedUrl(url, aws)).toContain(reason);
  });

  it('allows http://127.0.0.1 locally, and nothing else over http', () => {
    expect(refusedUrl('http://127.0.0.1:8080/hook', local)).toBeUndefined();
    expect(refusedUrl('http://10.0.0.5/hook', local)).toContain('https only');
    expect(refusedUrl('https://10.0.0.5/hook', local)).toContain('private');
  });

  it('refuses a URL over 2048 characters', () => {
    expect(refusedUrl(`https://hooks.example.com/${'a'.repeat(2048)}`, aws)).toContain('2048');
  });
});

describe('refusedAddress', () => {
  it.each(['8.8.8.8', '2606:4700:4700::1111'])('accepts the public address %s', (address) => {
    expect(refusedAddress(address, aws)).toBeUndefined();
  });

  it.each([
    '10.1.2.3',
    '169.254.169.254',
    '127.0.0.53',
    '::1',
    'fd00:ec2::254',
    '64:ff9b::a00:1',
    '224.0.0.1',
    '::a9fe:a9fe',
    '::7f00:1',
    '::ffff:0:a00:1',
    '2002:a00:1::',
  ])('refuses %s', (address) => {
    expect(refusedAddress(address, aws)).toBeDefined();
  });
});
