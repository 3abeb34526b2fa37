import { describe, expect, it } from 'vitest';
import { createMediaApp } from '#shared/api/app.js';
import { AwsRequestError } from '#shared/aws/request-error.js';
import { mailFiles } from '#shared/channels/ses/mail-files.js';
import { MEDIA_MAX_BYTES } from '#shared/domain/media.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { MAIL_FILES as FILES, storedMail } from '../../../../support/stored-mail.js';

// An email's files, read from its MIME in S3 (the S3 action) when an agent opens one: S3 is faked at
// the client (the GetObject function), the item is what the normaliser made of the same MIME.

const CUSTOMER = { id: 'cu_alice', identities: [], channels: ['email'] } as unknown as Customer;

/** The media app over Alice's mail, its S3 GetObject answering `object` (or throwing it). */
function appOver(item: TimelineItem, object: () => Promise<Uint8Array>) {
  const gets: string[] = [];
  const app = createMediaApp({
    authenticate: async () => ({ agentId: 'ana', admin: false }),
    clock: { now: () => new Date('2026-03-05T09:00:00.000Z') },
    store: {
      getCustomer: async (id) => (id === CUSTOMER.id ? CUSTOMER : undefined),
      customerItem: async (_customerId, itemId) => (itemId === item.id ? item : undefined),
      isAgentRemoved: async () => false,
    },
    mailFiles: mailFiles({
      fetchObject: async (bucket, key) => {
        gets.push(`${bucket}/${key}`);
        return object();
      },
      rawPayload: async () => undefined,
    }),
  });
  const open = (index: number) =>
    app.request(
      `/api/customers/${CUSTOMER.id}/timeline/${encodeURIComponent(item.id)}/attachments/${index}`,
      {
        headers: { authorization: 'Bearer t' },
      },
    );
  return { open, gets };
}

describe('an email attachment opened from the mail kept in S3', () => {
  it('serves attachments[i] as the part the item lists at i (an inline image first), as other files are', async () => {
    const { mime, item } = await storedMail(FILES, CUSTOMER.id);
    expect(item.attachments?.map((a) => a.filename)).toEqual(['logo.png', 'INV-2291.pdf']);
    const { open, gets } = appOver(item, async () => mime);
    const png = await open(0);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(/^inline; filename="logo.png"/);
    expect(Buffer.from(await png.arrayBuffer())).toEqual(FILES[0]?.bytes);
    const pdf = await open(1);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/octet-stream');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="INV-2291.pdf"/);
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pdf.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await pdf.arrayBuffer())).toEqual(FILES[1]?.bytes);
    // One S3 GET per open, of the object the receipt named.
    expect(gets).toEqual(['threadline-inbound/inbound/mailfiles2', 'threadline-inbound/inbound/mailfiles2']);
  });

  it('answers 410 with how long mail is kept once the bucket expired the MIME', async () => {
    const { item } = await storedMail(FILES, CUSTOMER.id);
    const { open } = appOver(item, async () => {
      throw new AwsRequestError('The specified key does not exist.', {
        status: 404,
        code: 'NoSuchKey',
        retryable: false,
        service: 's3',
      });
    });
    const res = await open(1);
    expect(res.status).toBe(410);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/kept inboundMailRetentionDays days \(30 by default\)/);
  });

  it('answers 413 media_too_large for a file over 4 MiB, without reading S3', async () => {
    const big = {
      filename: 'big.bin',
      contentType: 'application/zip',
      bytes: Buffer.alloc(MEDIA_MAX_BYTES + 1, 7),
    };
    const { item } = await storedMail([big], CUSTOMER.id);
    const { open, gets } = appOver(item, async () => new Uint8Array());
    const res = await open(0);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('media_too_large');
    expect(gets).toEqual([]);
  });
});
