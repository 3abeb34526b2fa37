import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presignedGetUrl, s3ExportStore } from '#shared/aws/s3-exports.js';
import { newExportId } from '#shared/domain/privacy.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const NOW = new Date('2025-06-10T09:00:00.000Z');
const EX_1 = newExportId('cu_1', '0123456789abcdef');

/**
 * A bucket on 127.0.0.1 that answers as S3 does the calls an export store makes: PUT, DELETE, and
 * ListObjectsV2 by prefix (one page of `max-keys`); it keeps the objects by key and counts the calls.
 */
async function fakeBucket(bucket: string) {
  const objects = new Map<string, string>();
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://bucket');
      const key = decodeURIComponent(url.pathname.slice(`/${bucket}/`.length));
      calls.push(`${req.method} ${key || url.search}`);
      if (req.method === 'PUT') objects.set(key, body);
      if (req.method === 'DELETE') {
        objects.delete(key);
        return res.writeHead(204).end();
      }
      if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const max = Number(url.searchParams.get('max-keys') ?? 1000);
        const keys = [...objects.keys()]
          .filter((k) => k.startsWith(prefix))
          .sort()
          .slice(0, max);
        const contents = keys.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('');
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name>` +
            `<Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount>${contents}</ListBucketResult>`,
        );
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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
      const { url } = await store.save(EX_1, '{"customers":[]}', '2025-06-10T09:15:00.000Z');
      expect(received).toEqual([
        expect.objectContaining({
          method: 'PUT',
          url: `/threadline-exports/exports/cu_1/${EX_1}.json`,
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

  it('deletes every export of an erased customer, in their folder only, and finds none the second time', async () => {
    const bucket = await fakeBucket('threadline-exports');
    try {
      const store = s3ExportStore('threadline-exports', {
        region: 'eu-west-1',
        endpoint: bucket.endpoint,
        credentials: () => credentials,
      });
      const expires = '2025-06-10T09:15:00.000Z';
      await store.save(EX_1, '{"a":1}', expires);
      await store.save(newExportId('cu_1', 'fedcba9876543210'), '{"a":2}', expires);
      await store.save(newExportId('cu_10', '0000000000000000'), '{"b":1}', expires);
      bucket.calls.length = 0;

      expect(await store.removeAllOf('cu_1')).toBe(2);
      expect([...bucket.objects.keys()]).toEqual(['exports/cu_10/ex_0000000000000000_cu_10.json']);
      expect(bucket.calls.filter((call) => call.startsWith('DELETE'))).toEqual([
        `DELETE exports/cu_1/${EX_1}.json`,
        'DELETE exports/cu_1/ex_fedcba9876543210_cu_1.json',
      ]);
      expect(bucket.calls.filter((call) => call.startsWith('GET'))).toHaveLength(2);
      expect(await store.removeAllOf('cu_1')).toBe(0);
    } finally {
      await bucket.close();
    }
  });

  it("deletes an export of a merged group with any of its customers' erasure, found by a marker in their folder", async () => {
    const bucket = await fakeBucket('threadline-exports');
    try {
      const store = s3ExportStore('threadline-exports', {
        region: 'eu-west-1',
        endpoint: bucket.endpoint,
        credentials: () => credentials,
      });
      await store.save(EX_1, '{"a":1}', '2025-06-10T09:15:00.000Z', ['cu_2']);
      // The marker is empty: its key alone says which export to delete.
      expect(bucket.objects.get(`exports/cu_2/${EX_1}.ref`)).toBe('');
      bucket.calls.length = 0;

      expect(await store.removeAllOf('cu_2')).toBe(1);
      expect([...bucket.objects.keys()]).toEqual([]);
      expect(bucket.calls.filter((call) => call.startsWith('DELETE'))).toEqual([
        `DELETE exports/cu_1/${EX_1}.json`,
        `DELETE exports/cu_2/${EX_1}.ref`,
      ]);
      expect(await store.removeAllOf('cu_2')).toBe(0);
    } finally {
      await bucket.close();
    }
  });
});
