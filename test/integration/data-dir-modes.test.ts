import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { outboxAgent } from '../support/outbox-agent.js';
import { startTestRuntime } from '../support/runtime.js';

const SECRET = 'data-dir-modes-meta';
const AGENT = agentToken('data-dir-modes-agent');
const PDF = Buffer.from('%PDF-1.4\n% a receipt\n%%EOF\n');

/** Every folder and file under `dir` with its permission bits, as `<path> <octal mode>`. */
function modesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      found.push(`${relative(dir, path)} ${(statSync(path).mode & 0o777).toString(8)}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

/**
 * The local runtime's DATA_DIR holds customers' data (the table, queued messages, the outbox, uploaded
 * files, the change feed's images, exports): nobody but its owner may read it. Before 2026-12-07 its
 * files were made 0644 and its folders 0755.
 */
describe('local runtime: DATA_DIR is its owner’s alone', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  const { api, conversationOf } = outboxAgent({
    url: () => runtime?.url ?? '',
    token: AGENT,
    secret: SECRET,
    dataDir: () => dataDir,
  });

  beforeAll(async () => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'data-dir-modes-')), 'data');
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-ana:${AGENT}:admin`,
        DATA_DIR: dataDir,
        // Every export written aside, as a large one is.
        EXPORT_INLINE_BYTES: '1',
      },
      persist: true,
      events: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('makes its folders 0700 and the files it writes 0600: a message in, an upload and a reply out', async () => {
    const { customerId, conversationId } = await conversationOf('447700900777', () => runtime?.idle());
    const made = await api('POST', '/api/uploads', {
      customerId,
      channel: 'whatsapp',
      name: 'receipt.pdf',
      type: 'application/pdf',
      size: PDF.length,
    });
    const created = (await made.json()) as {
      upload: { url: string; headers: Record<string, string> };
      attachment: unknown;
    };
    const put = { method: 'PUT', headers: created.upload.headers, body: PDF };
    expect((await fetch(`${runtime?.url}${created.upload.url}`, put)).status).toBe(200);
    const reply = await api('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Your receipt',
      attachments: [created.attachment],
    });
    expect(reply.status).toBe(202);
    await runtime?.idle();
    expect((await api('GET', `/api/customers/${customerId}/export`)).status).toBe(202);

    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    const modes = modesUnder(dataDir);
    for (const written of [
      'exports',
      'outbox.jsonl',
      'uploads',
      'change-feed/journal.jsonl',
      'queues',
      'dynamodb',
    ]) {
      expect(modes.some((line) => line.startsWith(`${written} `))).toBe(true);
    }
    const open = modes.filter((line) => {
      const [path = '', mode = ''] = line.split(' ');
      const folder = statSync(join(dataDir, path)).isDirectory();
      // dynalite's LevelDB files: the library makes them; the folders above keep them private.
      if (!folder && path.startsWith('dynamodb/')) return false;
      return mode !== (folder ? '700' : '600');
    });
    expect(open).toEqual([]);
  });
});
