import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import type { MailFile } from '../support/mail-files.js';
import { startTestRuntime } from '../support/runtime.js';
import { receiveSes } from '../support/ses-mail.js';
import { sesReceived } from '../support/webhooks.js';

const AGENT = agentToken('mail-files-agent');
const AT = '2026-03-02T09:00:00.000Z';
/** A PDF invoice and a PNG screenshot, as a customer's mail client attaches them. */
const FILES: MailFile[] = [
  {
    filename: 'INV-2291.pdf',
    contentType: 'application/pdf',
    bytes: Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n'),
  },
  {
    filename: 'screen.png',
    contentType: 'image/png',
    bytes: Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex'),
  },
];

/**
 * An agent opens the files a customer emailed (an invoice, a screenshot): the local runtime receives the
 * mail over SNS, keeps its MIME with the item, and reads each file from it when the agent asks.
 */
describe('local runtime: an agent opens the files of an email', () => {
  let runtime: LocalRuntime;
  const get = (path: string) =>
    fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${AGENT}` } });
  let base = '';
  let at = '';

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `ana:${AGENT}` } });
    const notification = sesReceived({
      sesId: 'mailfiles1',
      at: AT,
      from: 'Alice <alice@acme.example>',
      messageId: '<mailfiles1@acme.example>',
      subject: 'Invoice and screenshot',
      text: 'The invoice and a screenshot are attached.',
      files: FILES,
    });
    await receiveSes(runtime, notification, { snsId: 'sns-mailfiles1', at: AT });
    const found = (await (await get('/api/customers?q=alice%40acme.example')).json()) as {
      items: Array<{ id: string }>;
    };
    const customer = found.items[0]?.id ?? '';
    const timeline = (await (await get(`/api/customers/${customer}/timeline`)).json()) as {
      items: Array<{ id: string; at: string }>;
    };
    const item = timeline.items.find((i) => i.id === 'email:mailfiles1');
    at = item?.at ?? '';
    base = `/api/customers/${customer}/timeline/${encodeURIComponent('email:mailfiles1')}/attachments`;
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('serves the PDF as a download and the PNG inline, each the bytes that were sent', async () => {
    const pdf = await get(`${base}/0?at=${encodeURIComponent(at)}`);
    expect(pdf.status, await pdf.clone().text()).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/octet-stream');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="INV-2291.pdf"/);
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pdf.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(pdf.headers.get('cache-control')).toMatch(/^private/);
    expect(Buffer.from(await pdf.arrayBuffer())).toEqual(FILES[0]?.bytes);
    const png = await get(`${base}/1?at=${encodeURIComponent(at)}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(/^inline; filename="screen.png"/);
    expect(Buffer.from(await png.arrayBuffer())).toEqual(FILES[1]?.bytes);
  });

  it('answers an index past the files 404', async () => {
    const res = await get(`${base}/2?at=${encodeURIComponent(at)}`);
    expect(res.status).toBe(404);
  });
});
