import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presignedGetUrl, s3ExportStore } from '#shared/aws/s3-exports.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const NOW = new Date('2025-06-10T09:00:00.000Z');

describe('exports in S3', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('presigns a GET of the one object for the seconds asked, signed as the SDK signs it', async () => {
    const url = new URL(
      await presignedGetUrl('threadline-exports', 'exports/ex_1.json', 900, {
        region: 'eu-west-1',
        credentials: () => credentials,
      }),
    );
    expect(url.origin).toBe('https://threadline-exports.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/exports/ex_1.json');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20250610T090000Z');
    const signer = new SignatureV4({
      service: 's3',
      region: 'eu-west-1',
      credentials,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const sdk = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: url.hostname,
        path: url.pathname,
        headers: { host: url.hostname, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        query: {},
      },
      {
        expiresIn: 900,
        signingDate: NOW,
        unhoistableHeaders: new Set(['x-amz-content-sha256']),
        unsignableHeaders: new Set(['x-amz-content-sha256']),
      },
    );
    expect(url.searchParams.get('X-Amz-Signature')).toBe(sdk.query?.['X-Amz-Signature']);
  });

  it('puts the export encrypted under exports/ and answers a URL that works until it expires', async () => {
    const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const store = s3ExportStore('threadline-exports', {
        region: 'eu-west-1',
        endpoint,
        credentials: () => credentials,
      });
      const { url } = await store.save('ex_1', '{"customers":[]}', '2025-06-10T09:15:00.000Z');
      expect(received).toEqual([
        expect.objectContaining({
          method: 'PUT',
          url: '/threadline-exports/exports/ex_1.json',
          body: '{"customers":[]}',
          headers: expect.objectContaining({
            'x-amz-server-side-encryption': 'AES256',
            'content-type': 'application/json',
          }),
        }),
      ]);
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('900');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
