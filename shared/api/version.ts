import { readFileSync } from 'node:fs';

/**
 * Threadline's version as bundled: the stack's bundling defines it from package.json's `version`
 * (stacks/bundling/version.ts), so a bundle carries the string alone, not the file. Unbundled (the
 * local runtime, the tests) it is not defined.
 */
declare const __THREADLINE_VERSION__: string | undefined;

/** package.json's `version`, read beside the sources; undefined when there is no such file to read. */
function versionInPackageFile(): string | undefined {
  try {
    const file = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const { version } = JSON.parse(file) as { version?: unknown };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Threadline's version (package.json's `version`), as the OpenAPI document's `info.version` gives it:
 * defined at bundling, else read from package.json; "unknown" for a bundle built without the define.
 */
export function threadlineVersion(): string {
  // One expression: with the define, esbuild folds it to the literal and drops the file's read.
  return typeof __THREADLINE_VERSION__ === 'string'
    ? __THREADLINE_VERSION__
    : (versionInPackageFile() ?? 'unknown');
}
