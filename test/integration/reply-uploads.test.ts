import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { outboxAgent } from '../support/outbox-agent.js';
import { startTestRuntime } from '../support/runtime.js';

const SECRET = 'reply-uploads-meta';
const AGENT = agentToken('reply-uploads-agent');
const ADMIN = agentToken('reply-uploads-admin');
const BOB = agentToken('reply-uploads-bob');
const PDF = Buffer.from('%PDF-1.4\n% a small invoice\n%%EOF\n');

interface Created {
  id: string;
  upload: { method: 'PUT'; url: string; headers: Record<string, string> };
  attachment: { url: string; kind: string; filename: string; mimeType: string };
}

/**
 * An agent attaches a file from their computer: `POST /api/uploads` makes room for it, the bytes go to
 * the upload's URL, the reply carries the attachment, and the sender sends the provider the file's link,
 * which serves the file without a token until the customer is erased.
 */
describe('local runtime: a reply with a file the agent uploaded', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  const { api, conversationOf } = outboxAgent({
    url: () => runtime?.url ?? '',
    token: AGENT,
    secret: SECRET,
    dataDir: () => dataDir,
  });
  const bob = outboxAgent({
    url: () => runtime?.url ?? '',
    token: BOB,
    secret: SECRET,
    dataDir: () => dataDir,
  });
  const zoe = outboxAgent({
    url: () => runtime?.url ?? '',
    token: ADMIN,
    secret: SECRET,
    dataDir: () => dataDir,
  });
  const put = (created: Created, body: Buffer) =>
    fetch(`${runtime?.url}${created.upload.url}`, { method: 'PUT', headers: created.upload.headers, body });
  /** A PDF `agent` uploaded for `customerId`'s WhatsApp, its bytes put. */
  const uploadPdf = async (agent: typeof api, customerId: string) => {
    const request = {
      customerId,
      channel: 'whatsapp',
      name: 'b.pdf',
      type: 'application/pdf',
      size: PDF.length,
    };
    const created = (await (await agent('POST', '/api/uploads', request)).json()) as Created;
    expect((await put(created, PDF)).status).toBe(200);
    return created;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'reply-uploads-'));
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-ana:${AGENT},agent-bob:${BOB},admin-zoe:${ADMIN}:admin`,
        DATA_DIR: dataDir,
      },
      persist: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads, replies with the link, serves the file to the provider, and forgets it with the customer', async () => {
    const { customerId, conversationId } = await conversationOf('447700900555', () => runtime?.idle());
    const request = {
      customerId,
      channel: 'whatsapp',
      name: 'Invoice 42.pdf',
      type: 'application/pdf',
      size: PDF.length,
    };
    const made = await api('POST', '/api/uploads', request);
    expect(made.status).toBe(201);
    const created = (await made.json()) as Created;
    expect(created.attachment).toMatchObject({
      kind: 'document',
      filename: 'Invoice 42.pdf',
      mimeType: 'application/pdf',
    });
    expect(created.attachment.url).toBe(`${runtime?.url}/files/${customerId}/${created.id}/Invoice%2042.pdf`);
    // Before its bytes, the link serves nothing; a PUT of other bytes than announced is refused.
    expect((await fetch(created.attachment.url)).status).toBe(404);
    expect((await put(created, Buffer.concat([PDF, PDF]))).status).toBe(403);
    expect((await put(created, PDF)).status).toBe(200);

    const served = await fetch(created.attachment.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(PDF)).toBe(true);

    const reply = await api('POST', `/api/conversations/${conversationId}/replies`, {
      channel: 'whatsapp',
      text: 'Your invoice',
      attachments: [created.attachment],
    });
    expect(reply.status).toBe(202);
    await runtime?.idle();
    const sent = readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(created.id));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(created.attachment.url);

    // The erasure deletes the customer's files with their exports: the link serves nothing after.
    const erased = await fetch(`${runtime?.url}/api/customers/${customerId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(erased.status).toBeLessThan(300);
    expect((await fetch(created.attachment.url)).status).toBe(404);
    expect(readdirSync(join(dataDir, 'uploads'))).not.toContain(customerId);
  });

  it('keeps an Arabic or accented file name, percent-encoded in the link, and serves it there', async () => {
    const { customerId } = await conversationOf('447700900557', () => runtime?.idle());
    for (const name of ['فاتورة رقم 4512.pdf', 'Facture Hélène Lefèvre n°4512.pdf', '٤٥١٢.pdf']) {
      const made = await api('POST', '/api/uploads', {
        customerId,
        channel: 'whatsapp',
        name,
        type: 'application/pdf',
        size: PDF.length,
      });
      const created = (await made.json()) as Created;
      expect(created.attachment.filename).toBe(name);
      const url = new URL(created.attachment.url);
      expect(url.pathname).toBe(`/files/${customerId}/${created.id}/${encodeURIComponent(name)}`);
      expect(url.href).toBe(created.attachment.url);
      expect((await put(created, PDF)).status).toBe(200);
      expect((await fetch(created.attachment.url)).status).toBe(200);
    }
  });

  it('refuses a file the channel cannot take, or a type a browser runs, with what to do', async () => {
    const { customerId } = await conversationOf('447700900556', () => runtime?.idle());
    const big = await api('POST', '/api/uploads', {
      customerId,
      channel: 'sms',
      name: 'video.mp4',
      type: 'video/mp4',
      size: 6_200_000,
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      error: { code: 'file_too_large', message: 'video.mp4 is 6.2 MB; a video on sms may be at most 5 MB' },
    });
    const page = await api('POST', '/api/uploads', {
      customerId,
      channel: 'email',
      name: 'x.svg',
      type: 'image/svg+xml',
      size: 100,
    });
    expect(page.status).toBe(415);
    const nobody = await api('POST', '/api/uploads', {
      customerId: 'nobody',
      channel: 'email',
      name: 'a.pdf',
      type: 'application/pdf',
      size: 100,
    });
    expect(nobody.status).toBe(404);
    expect((await fetch(`${runtime?.url}/files/${customerId}/f_guess/a.pdf`)).status).toBe(404);
  });

  it('sends a file only for the agent who uploaded it, and never once an admin removed them', async () => {
    const { customerId, conversationId } = await conversationOf('447700900558', () => runtime?.idle());
    const upload = {
      customerId,
      channel: 'whatsapp',
      name: 'a.pdf',
      type: 'application/pdf',
      size: PDF.length,
    };
    const anas = (await (await api('POST', '/api/uploads', upload)).json()) as Created;
    expect((await put(anas, PDF)).status).toBe(200);
    const replyWith = (agent: typeof api, text: string) =>
      agent('POST', `/api/conversations/${conversationId}/replies`, {
        text,
        attachments: [anas.attachment],
        expectedAssignee: '',
      });

    // Another agent with Ana's link (from her reply on the timeline, say): refused, nothing sent.
    const bobs = await replyWith(bob.api, 'Bob sends her file');
    expect(bobs.status).toBe(403);
    expect(await bobs.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('another agent uploaded') },
    });

    // Ana removed once her bytes are up: neither she nor anyone sends them.
    expect((await zoe.api('DELETE', '/api/agents/agent-ana')).status).toBe(204);
    expect((await replyWith(api, 'Ana, removed')).status).toBe(403);
    expect((await replyWith(bob.api, 'Bob again')).status).toBe(403);
    expect((await replyWith(zoe.api, 'Zoe, an admin')).status).toBe(403);
    await runtime?.idle();
    const sent = readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8');
    expect(sent).not.toContain(anas.attachment.url);
    expect((await zoe.api('POST', '/api/agents/agent-ana/restore')).status).toBe(204);
  });
  it("refuses another customer's file in a reply, and sends that of a customer merged into this one", async () => {
    const yours = await conversationOf('447700900559', () => runtime?.idle());
    const theirs = await conversationOf('447700900560', () => runtime?.idle());
    const theirFile = await uploadPdf(api, theirs.customerId);
    const replyWith = (file: Created, text: string) =>
      api('POST', `/api/conversations/${yours.conversationId}/replies`, {
        text,
        attachments: [file.attachment],
      });
    // Ana uploaded it, for the other customer: their file does not go to this one.
    const refused = await replyWith(theirFile, 'Here is your invoice');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: 'upload_other_customer', message: expect.stringContaining('another customer') },
    });
    await runtime?.idle();
    expect(readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8')).not.toContain(theirFile.attachment.url);

    // Merged into this customer, the other one is this one: their files go.
    const merged = await zoe.api('POST', `/api/customers/${yours.customerId}/merge`, {
      customerId: theirs.customerId,
    });
    expect(merged.status).toBe(200);
    expect((await replyWith(theirFile, 'Here it is after all')).status).toBe(202);
    await runtime?.idle();
    expect(readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8')).toContain(theirFile.attachment.url);
  });

  it("refuses the first attachment that may not go: another customer's before another agent's file", async () => {
    const yours = await conversationOf('447700900561', () => runtime?.idle());
    const theirs = await conversationOf('447700900562', () => runtime?.idle());
    const anas = await uploadPdf(api, yours.customerId);
    const bobsForThem = await uploadPdf(bob.api, theirs.customerId);
    const replyWith = (files: Created[]) =>
      bob.api('POST', `/api/conversations/${yours.conversationId}/replies`, {
        text: 'Two files',
        attachments: files.map((file) => file.attachment),
        expectedAssignee: '',
      });
    // Each link is looked at once, in order: Bob's file for the other customer is the first that may not go.
    const first = await replyWith([bobsForThem, anas]);
    expect(first.status).toBe(403);
    expect(await first.json()).toMatchObject({
      error: { code: 'upload_other_customer', message: expect.stringContaining('attachments[0]') },
    });
    const second = await replyWith([anas, bobsForThem]);
    expect(second.status).toBe(403);
    expect(await second.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('attachments[0]') },
    });
  });
});
