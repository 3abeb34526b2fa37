import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/api/docs.js';
import { createRouter } from '#shared/api/router.js';
import { versionDefine } from '../../../../stacks/bundling/version.js';

const packageFile = readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8');
const { version, description } = JSON.parse(packageFile) as { version: string; description: string };

/** What a bundle's `define` gives the code (esbuild puts the literal in its place); none unbundled. */
const defined = globalThis as { __THREADLINE_VERSION__?: string };

const documentVersion = () => (openApiDocument(createRouter()) as { info: { version: string } }).info.version;

describe("the OpenAPI document's version", () => {
  afterEach(() => {
    delete defined.__THREADLINE_VERSION__;
  });

  it("is package.json's version, read beside the sources when the code is not bundled", () => {
    expect(documentVersion()).toBe(version);
  });

  it('is the version the bundling defined, not one written in the code', () => {
    // Before, `info.version` was '0.1.0' whatever the release.
    defined.__THREADLINE_VERSION__ = '3.2.1-rc.4';
    expect(documentVersion()).toBe('3.2.1-rc.4');
  });

  it("is defined at bundling as package.json's version alone: the bundle holds no more of the file and reads none", async () => {
    expect(versionDefine()).toEqual({ __THREADLINE_VERSION__: JSON.stringify(version) });
    const built = await build({
      stdin: {
        contents:
          "import { threadlineVersion } from './shared/api/version.ts'; export const v = threadlineVersion();",
        resolveDir: new URL('../../../../', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      minify: true,
      define: versionDefine(),
      logLevel: 'silent',
    });
    const code = built.outputFiles[0]?.text ?? '';
    expect(code).toContain(JSON.stringify(version));
    expect(code).not.toContain('package.json');
    expect(code).not.toContain('readFileSync');
    expect(code).not.toContain(description);
    expect(code.length).toBeLessThan(200);
  });
});
