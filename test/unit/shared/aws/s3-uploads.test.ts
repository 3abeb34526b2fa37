import { describe, expect, it } from 'vitest';
import { FILE_LINK_SECONDS, s3UploadStore } from '#shared/aws/s3-uploads.js';
import { safeFileName, uploadKeyOfLink, uploadProblem } from '#shared/domain/uploads.js';
import { FakeAws } from '../../../support/fake-aws.js';

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});
const store = s3UploadStore('threadline-exports', { region: 'eu-west-1', credentials });
const FILE = {
  customerId: 'cu_1',
  fileId: 'f_abc',
  name: 'a.pdf',
  type: 'application/pdf',
  size: 1234,
  agentId: 'ana@shop.example',
};

describe('s3UploadStore: agents’ reply files in the bucket, by presigned URLs', () => {
  it('signs a PUT of exactly the type and length announced, with its agent, under the customer’s folder', async () => {
    const target = await store.prepare(FILE, new Date(Date.now() + 900_000).toISOString());
    const url = new URL(target.url);
    expect(url.host).toBe('threadline-exports.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/uploads/cu_1/f_abc');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-meta-agent',
    );
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeGreaterThan(890);
    expect(target.headers).toEqual({
      'Content-Type': 'application/pdf',
      'x-amz-meta-agent': 'ana%40shop.example',
    });
  });

  it('reads who made an upload from its object’s metadata (a HEAD), nothing for an object not there', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const fake = new FakeAws({ service: 's3', region: 'eu-west-1', credentials });
    const endpoint = await fake.start();
    try {
      const headed = s3UploadStore('threadline-exports', {
        region: 'eu-west-1',
        endpoint,
        credentials: () => credentials,
      });
      fake.reply = (request) =>
        request.url.endsWith('/f_there')
          ? { status: 200, headers: { 'x-amz-meta-agent': 'ana%40shop.example' } }
          : request.url.endsWith('/f_old')
            ? { status: 200 }
            : { status: 404 };
      expect(await headed.ownerOf({ customerId: 'cu_1', fileId: 'f_there' })).toEqual({
        agentId: 'ana@shop.example',
      });
      expect(await headed.ownerOf({ customerId: 'cu_1', fileId: 'f_old' })).toEqual({ agentId: undefined });
      expect(await headed.ownerOf({ customerId: 'cu_1', fileId: 'f_gone' })).toBeUndefined();
      expect(fake.received.map((r) => `${r.method} ${r.url}`)).toEqual([
        'HEAD /threadline-exports/uploads/cu_1/f_there',
        'HEAD /threadline-exports/uploads/cu_1/f_old',
        'HEAD /threadline-exports/uploads/cu_1/f_gone',
      ]);
      expect(fake.mismatches).toEqual([]);
    } finally {
      await fake.stop();
    }
  });

  it('knows an uploaded file’s link, on any host, and nothing else', () => {
    const fileId = `f_${'A'.repeat(22)}`;
    expect(uploadKeyOfLink(`https://x.example/files/cu_1/${fileId}/a%20b.pdf`)).toEqual({
      customerId: 'cu_1',
      fileId,
    });
    expect(uploadKeyOfLink(`https://cdn.example/files/cu_1/f_short/a.pdf`)).toBeUndefined();
    expect(uploadKeyOfLink(`https://x.example/files/cu_1/${fileId}/a/b.pdf`)).toBeUndefined();
    expect(uploadKeyOfLink('not a link')).toBeUndefined();
  });

  it('answers a link with a GET signed now, valid 5 minutes, and nothing for an id that could leave the folder', async () => {
    const opened = await store.open({ customerId: 'cu_1', fileId: 'f_abc' }, '');
    const url = new URL((opened as { redirect: string }).redirect);
    expect(url.pathname).toBe('/uploads/cu_1/f_abc');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(FILE_LINK_SECONDS));
    expect(await store.open({ customerId: 'cu_1', fileId: '..' }, '')).toBeUndefined();
    expect(await store.open({ customerId: 'cu_1/../x', fileId: 'f_abc' }, '')).toBeUndefined();
  });
});

describe('uploadProblem: what a channel’s provider takes', () => {
  it('refuses types a browser runs, and sizes over the channel’s limit, in words', () => {
    expect(uploadProblem('email', { name: 'x.html', type: 'text/html', size: 10 })?.status).toBe(415);
    expect(uploadProblem('email', { name: 'x.svg', type: 'image/svg+xml', size: 10 })?.status).toBe(415);
    expect(uploadProblem('whatsapp', { name: 'a.webp', type: 'image/webp', size: 10 })?.message).toBe(
      'WhatsApp sends JPEG or PNG images, not image/webp',
    );
    expect(uploadProblem('sms', { name: 'v.mp4', type: 'video/mp4', size: 5_000_001 })?.status).toBe(413);
    expect(uploadProblem('whatsapp', { name: 'v.mp4', type: 'video/mp4', size: 16_000_000 })).toBeUndefined();
    expect(uploadProblem('whatsapp', { name: 'p.png', type: 'image/png', size: 5_000_001 })?.status).toBe(
      413,
    );
    expect(
      uploadProblem('messenger', { name: 'd.pdf', type: 'application/pdf', size: 25_000_000 }),
    ).toBeUndefined();
    expect(
      uploadProblem('email', { name: 'd.pdf', type: 'application/pdf', size: 25_000_001 })?.message,
    ).toBe('d.pdf is 25 MB; a document on email may be at most 25 MB');
  });

  it('makes names safe for a link', () => {
    expect(safeFileName('Invoice 42 (final).pdf')).toBe('Invoice 42 (final).pdf');
    expect(safeFileName('../../etc/passwd')).toBe('etc_passwd');
    expect(safeFileName('..\\..\\boot.ini')).toBe('boot.ini');
    expect(safeFileName('<script>')).toBe('script_');
  });

  // Names in any script keep their letters, digits and marks (NFC), as the customer's phone shows them.
  it.each([
    ['فاتورة.pdf', 'فاتورة.pdf'],
    ['فاتورة رقم 4512.pdf', 'فاتورة رقم 4512.pdf'],
    ['٤٥١٢.pdf', '٤٥١٢.pdf'],
    ['Facture Hélène Lefèvre n°4512.pdf', 'Facture Hélène Lefèvre n°4512.pdf'],
    ['Rec\u0327u e\u0301te\u0301 2026.pdf', 'Reçu été 2026.pdf'],
    ['مُحَمَّد.pdf', 'مُحَمَّد.pdf'],
    ['  devis\u00a0\t final .docx', 'devis final.docx'],
  ])('keeps the name %j as %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });

  it('takes out controls, bidirectional overrides and invisible characters', () => {
    expect(safeFileName('invoice\u202efdp.exe.pdf')).toBe('invoicefdp.exe.pdf');
    expect(safeFileName('a\u0000b\r\nc\u2067d\u200fe.pdf')).toBe('abcde.pdf');
  });

  it('keeps the extension, bounds the length, and names a file with nothing left `file.<ext>`', () => {
    const long = safeFileName(`${'ف'.repeat(300)}.pdf`);
    expect(long).toBe(`${'ف'.repeat(96)}.pdf`);
    expect(safeFileName(`${'😀'.repeat(60)}x.pdf`)).toBe('x.pdf');
    expect([...safeFileName(`a${'\u{1d400}'.repeat(200)}.xlsx`)]).toHaveLength(100);
    expect(safeFileName('.pdf')).toBe('file.pdf');
    expect(safeFileName('\u202e\u200f.pdf')).toBe('file.pdf');
    expect(safeFileName('///.pdf')).toBe('file.pdf');
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('...')).toBe('file');
  });
});
