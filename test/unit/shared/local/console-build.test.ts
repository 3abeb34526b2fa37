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

  it('writes a page that loads hashed assets only, with the Cognito sign-in and the Webhooks and Audit views in chunks loaded later', async () => {
    await writeConsole(join(dir, 'console'));
    const bundle = await readConsoleDir(join(dir, 'console'));
    const referenced = [...bundle.html.matchAll(/\/console\/assets\/([^"]+)"/g)].map((m) => m[1] ?? '');
    // The style sheet, the entry and the chunks it imports (each preloaded beside it).
    const scripts = referenced.filter((n) => n.endsWith('.js'));
    expect(referenced.filter((n) => n.endsWith('.css'))).toHaveLength(1);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    expect([...bundle.html.matchAll(/rel="modulepreload"/g)]).toHaveLength(scripts.length - 1);
    for (const name of bundle.assets.keys()) expect(name).toMatch(/^[a-z]+-[A-Z0-9]{8}\.(js|css)$/);
    for (const name of referenced) expect(bundle.assets.has(name)).toBe(true);
    expect(bundle.html).not.toMatch(/<script>|<style>|\sstyle=|\son\w+=/);
    expect(bundle.html).toMatch(/<link rel="modulepreload" href="\/console\/assets\/chunk-[A-Z0-9]{8}\.js">/);

    const text = (name: string) => new TextDecoder().decode(bundle.assets.get(name)?.body);
    const initial = referenced.filter((n) => n.endsWith('.js'));
    const later = [...bundle.assets.keys()].filter((n) => n.endsWith('.js') && !initial.includes(n));
    for (const lazyText of [
      'Caldera Derived Key',
      'Replay failed deliveries since',
      'Audit records, newest first',
    ]) {
      expect(initial.some((n) => text(n).includes(lazyText))).toBe(false);
      expect(later.some((n) => text(n).includes(lazyText))).toBe(true);
    }
    const gzipped = initial.reduce(
      (sum, n) => sum + gzipSync(bundle.assets.get(n)?.body ?? new Uint8Array()).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(80 * 1024);
  });
});
