import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundle } from '../../bench/bundles.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The modules that export error classes. */
const MODULES = [
  'shared/errors.ts',
  'shared/aws/request-error.ts',
  'shared/channels/normalised.ts',
  'shared/channels/ses/sns.ts',
  'shared/config/config.ts',
  'shared/domain/send-errors.ts',
  'shared/domain/routing/policy.ts',
];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('error names', () => {
  // Logs and answers carry error.name. The webhook bundles are minified without esbuild's keepNames
  // (2 ms of cold start), which renames classes: so no class may take its name from itself.
  it('every error class in the code names itself in a string', () => {
    const unnamed: string[] = [];
    let classes = 0;
    for (const file of [...sources('shared'), ...sources('functions')]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('new.target.name');
      expect(text, file).not.toContain('constructor.name');
      for (const match of text.matchAll(/class (\w+) extends \w*Error \{\n(?<body>[\s\S]*?)\n\}/g)) {
        classes += 1;
        if (!match.groups?.body?.includes(`override name = '${match[1]}';`)) unnamed.push(match[1] ?? '');
      }
    }
    expect(classes).toBeGreaterThanOrEqual(19);
    expect(unnamed).toEqual([]);
  });

  it('keep their names in a minified bundle built without keepNames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-names-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(entry, MODULES.map((m) => `export * from ${JSON.stringify(join(ROOT, m))};`).join('\n'));
      const outfile = join(dir, 'bundle.mjs');
      await bundle(entry, outfile, false);
      const exports: Record<string, unknown> = await import(pathToFileURL(outfile).href);
      const errors = Object.entries(exports).filter(
        (entry): entry is [string, new (...args: unknown[]) => Error] =>
          typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
      );
      expect(errors.length).toBeGreaterThanOrEqual(15);
      for (const [exported, ErrorClass] of errors) {
        const error = new ErrorClass('message', { status: 0, code: 'x', retryable: false, service: 's' });
        expect(error.name).toBe(exported);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
