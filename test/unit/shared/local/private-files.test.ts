import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDurably } from '#shared/local/durable-file.js';
import { privateDataDir } from '#shared/local/private-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('the local runtime’s files', () => {
  it('takes a DATA_DIR an earlier version made 0755 back to 0700, what it holds with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'private-files-'));
    dirs.push(dir);
    const dataDir = join(dir, '.data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'outbox.jsonl'), '{}\n', { mode: 0o644 });
    privateDataDir(dataDir);
    expect(modeOf(dataDir)).toBe('700');
  });

  it('writes a durable file 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'private-files-'));
    dirs.push(dir);
    await writeDurably(join(dir, 'm.json'), '{}');
    expect(modeOf(join(dir, 'm.json'))).toBe('600');
  });
});
