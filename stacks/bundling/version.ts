import { readFileSync } from 'node:fs';

/**
 * The esbuild `define` that gives a bundle Threadline's version (package.json's `version`) as a string
 * literal, for `threadlineVersion` (shared/api/version.ts): the bundle then holds the version alone,
 * none of the rest of package.json, and reads no file for it.
 */
export function versionDefine(): Record<string, string> {
  const file = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(file) as { version: string };
  return { __THREADLINE_VERSION__: JSON.stringify(version) };
}
