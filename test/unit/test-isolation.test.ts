import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/architecture.js';

/** Every .ts file under test/, as a path from the repository's root. */
function testSources(dir = join(ROOT, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testSources(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

describe('test files sharing their worker (isolate: false)', () => {
  it('stub AWS clients only through mockAws, which restores the stub when the file ends', () => {
    const direct = testSources().filter(
      (path) =>
        path !== 'test/support/aws-mock.ts' &&
        /^import .* from 'aws-sdk-client-mock';$/m.test(readFileSync(join(ROOT, path), 'utf8')),
    );
    expect(direct).toEqual([]);
  });
});
