import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('npm run check-secret', () => {
  it('-- --help writes its usage and exits 0, as the other maintenance commands do', async () => {
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['shared/local/check-secret.ts', '--help'],
      { cwd: root },
    );
    expect(stdout).toMatch(/^usage: npm run check-secret -- \[--signing\] <secret\.json>/);
    expect(stdout).toContain('--help');
  }, 30_000);
});
