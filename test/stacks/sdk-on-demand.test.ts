import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SesSender } from '#shared/channels/ses/send.js';
import { normalisePhone } from '#shared/domain/identity.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { PermanentSendError, RetryableSendError } from '#shared/domain/send-errors.js';
import { onDemandBuildCommand, PHONE_ON_DEMAND, SES_ON_DEMAND } from '../../stacks/bundling/on-demand.js';
import { bundle } from '../bench/bundles.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-sdk-on-demand-'));
let server: Server;
let endpoint: string;
let answer: { status: number; body: string } = { status: 200, body: '' };
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(answer.status, { 'content-type': 'text/xml' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const sesAnswer = (body: string) =>
  `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">${body}</SendRawEmailResponse>`;
const sesError = (code: string) =>
  `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
const reply = OutboundMessageSchema.parse({
  id: 'rp_on_demand',
  customerId: 'cu_on_demand',
  conversationId: 'cv_on_demand',
  at: '2026-03-02T08:00:00.000Z',
  channel: 'email',
  to: { kind: 'email', value: 'grace@example.com' },
  text: 'Hello Grace',
  email: { subject: 'Where is my order?' },
  author: { kind: 'agent', id: 'agent-7' },
});

describe('the SES client loaded on demand (the sender bundle)', () => {
  it('is not read at load, then sends through the real client and maps its errors as the SDK raises them', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `export { SesSender } from ${JSON.stringify(join(process.cwd(), 'shared/channels/ses/send.ts'))};\nexport { SESClient } from '@aws-sdk/client-ses';\n`,
    );
    const outfile = join(dir, 'ses.mjs');
    await bundle(entry, outfile, true, [], [SES_ON_DEMAND]);
    expect(statSync(outfile).size).toBeLessThan(100 * 1024);
    execSync(`mv "${join(dir, SES_ON_DEMAND.file)}" "${join(dir, 'later.cjs')}"`);
    const bundled = (await import(pathToFileURL(outfile).href)) as {
      SesSender: typeof SesSender;
      SESClient: new (config: unknown) => never;
    };
    const client = new bundled.SESClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const sender = new bundled.SesSender({ client, from: 'Acme <help@acme.example>' });
    // Built and imported without the SDK's file beside it: nothing required it.
    expect(existsSync(join(dir, SES_ON_DEMAND.file))).toBe(false);

    execSync(`mv "${join(dir, 'later.cjs')}" "${join(dir, SES_ON_DEMAND.file)}"`);
    answer = {
      status: 200,
      body: sesAnswer('<SendRawEmailResult><MessageId>m-1</MessageId></SendRawEmailResult>'),
    };
    // The Message-ID SES gives the mail, from the region the real client resolves.
    expect(await sender.send(reply)).toMatchObject({
      providerMessageId: 'm-1',
      messageIdHeader: '<m-1@eu-west-1.amazonses.com>',
    });
    answer = { status: 400, body: sesError('MessageRejected') };
    const rejected = await sender.send(reply).catch((e: unknown) => e);
    // The bundle has its own copy of the error classes: same names, other identities.
    expect((rejected as Error).name).toBe(new PermanentSendError('x', 'y').name);
    expect((rejected as Error).message).toContain('SES rejected the email');
    answer = { status: 400, body: sesError('Throttling') };
    const throttled = await sender.send(reply).catch((e: unknown) => e);
    expect((throttled as Error).name).toBe(new RetryableSendError('x').name);
    expect(requests).toBe(3);
  }, 60_000);

  it('builds the file the stack ships beside the bundle', () => {
    execSync(onDemandBuildCommand(SES_ON_DEMAND, dir));
    expect(statSync(join(dir, SES_ON_DEMAND.file)).size).toBeGreaterThan(100 * 1024);
  });
});

describe('libphonenumber-js loaded on demand (the agent API bundle)', () => {
  it('is not read at load, then normalises numbers as the library does', async () => {
    const entry = join(dir, 'phone-entry.ts');
    writeFileSync(
      entry,
      `export { normalisePhone } from ${JSON.stringify(join(process.cwd(), 'shared/domain/identity.ts'))};\n`,
    );
    const outfile = join(dir, 'phone.mjs');
    await bundle(entry, outfile, true, [], []);
    const whole = statSync(outfile).size;
    await bundle(entry, outfile, true, [], [PHONE_ON_DEMAND]);
    expect(whole - statSync(outfile).size).toBeGreaterThan(100 * 1024);
    execSync(`mv "${join(dir, PHONE_ON_DEMAND.file)}" "${join(dir, 'phone-later.cjs')}"`);
    const bundled = (await import(pathToFileURL(outfile).href)) as { normalisePhone: typeof normalisePhone };
    expect(existsSync(join(dir, PHONE_ON_DEMAND.file))).toBe(false);

    execSync(`mv "${join(dir, 'phone-later.cjs')}" "${join(dir, PHONE_ON_DEMAND.file)}"`);
    const numbers = ['+1 (415) 555-0100', '004915112345678', '0151 12345678', '12', 'not a number'];
    const options = { defaultRegion: 'DE' } as const;
    expect(numbers.map((n) => bundled.normalisePhone(n, options))).toEqual(
      numbers.map((n) => normalisePhone(n, options)),
    );
    expect(bundled.normalisePhone('0151 12345678', options)).toBe('+4915112345678');
  }, 60_000);
});
