import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readConsoleDir } from '#shared/http/console-files.js';
import { writeConsole } from '#shared/local/console-build.js';

describe('the console build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-build-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a page that loads hashed assets only, with the Cognito sign-in in a chunk loaded later', async () => {
    await writeConsole(join(dir, 'console'));
    const bundle = await readConsoleDir(join(dir, 'console'));
    const referenced = [...bundle.html.matchAll(/\/console\/assets\/([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(referenced).toHaveLength(2);
    for (const name of bundle.assets.keys()) expect(name).toMatch(/^[a-z]+-[A-Z0-9]{8}\.(js|css)$/);
    for (const name of referenced) expect(bundle.assets.has(name)).toBe(true);
    expect(bundle.html).not.toMatch(/<script>|<style>|\sstyle=|\son\w+=/);

    const entry = bundle.assets.get(referenced.find((n) => n.endsWith('.js')) ?? '');
    const text = new TextDecoder().decode(entry?.body);
    expect(text).not.toContain('Caldera Derived Key');
    const lazy = [...bundle.assets].filter(([name]) => name.startsWith('chunk-'));
    expect(lazy.some(([, f]) => new TextDecoder().decode(f.body).includes('Caldera Derived Key'))).toBe(true);
    expect(gzipSync(entry?.body ?? new Uint8Array()).length).toBeLessThanOrEqual(80 * 1024);
  });
});
