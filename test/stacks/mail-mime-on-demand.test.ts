import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { mailFiles } from '#shared/channels/ses/mail-files.js';
import type { MailFiles } from '#shared/domain/media.js';
import { AGENT_MEDIA_BUNDLING } from '../../stacks/agent-media.js';
import { MAIL_MIME_ON_DEMAND } from '../../stacks/bundling/on-demand.js';
import { bundle, bundleOptions } from '../bench/bundles.js';
import { MAIL_FILES as FILES, storedMail } from '../support/stored-mail.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-mail-mime-on-demand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { keepNames = true, aliases = {} } = AGENT_MEDIA_BUNDLING;

/** The packages that read a mail's MIME (mailparser and what it loads, the HTML-to-text of its bodies). */
const MIME_PACKAGES = ['mailparser', 'iconv-lite', 'encoding-japanese', 'libmime', 'html-to-text'];

/** The packages a bundle's module graph holds, from esbuild's metafile. */
function packagesOf(inputs: Record<string, unknown>): Set<string> {
  const names = Object.keys(inputs).map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]);
  return new Set(names.filter((name) => name !== undefined));
}

describe("the agent media function's bundle (the stack's bundling of functions/agent-media)", () => {
  it('holds no MIME reader: mailparser and its charset tables wait beside it for an emailed file', async () => {
    const { metafile } = await build({
      ...bundleOptions(
        'functions/agent-media/handler.ts',
        join(dir, 'agent-media.mjs'),
        keepNames,
        [],
        [],
        aliases,
      ),
      metafile: true,
      write: false,
    });
    const packages = packagesOf(metafile.inputs);
    // Still the function it was: the agent API's app, its sign-in, the table.
    expect(packages.has('hono')).toBe(true);
    expect(MIME_PACKAGES.filter((name) => packages.has(name))).toEqual([]);
  });
});

describe("an emailed file read through the agent media function's bundle", () => {
  it('loads the MIME reader from beside the bundle on the first file, and serves the parts as before', async () => {
    const entry = join(dir, 'entry.ts');
    const source = join(process.cwd(), 'shared/channels/ses/mail-files.ts');
    writeFileSync(entry, `export { mailFiles } from ${JSON.stringify(source)};\n`);
    const outfile = join(dir, 'mail-files.mjs');
    await bundle(entry, outfile, keepNames, [], [], aliases);
    const beside = [join(dir, MAIL_MIME_ON_DEMAND.file)];
    for (const file of beside) execSync(`mv "${file}" "${file}.later"`);
    const bundled = (await import(pathToFileURL(outfile).href)) as { mailFiles: typeof mailFiles };
    const { mime, item } = await storedMail(FILES, 'cu_alice');
    const sources = { fetchObject: async () => mime, rawPayload: async () => undefined };
    const served = bundled.mailFiles(sources);
    // Imported, and its files' reader made, without the files beside it: nothing required them.
    for (const file of beside) expect(existsSync(file)).toBe(false);
    for (const file of beside) execSync(`mv "${file}.later" "${file}"`);

    const request = { customerId: 'cu_alice', itemId: item.id, item };
    const open = (reader: MailFiles, index: number, maxBytes = 1024) =>
      reader.attachment(request, index, maxBytes).catch((error: Error) => ({ error: error.name }));
    const unbundled = mailFiles(sources);
    for (const [index, maxBytes] of [[0], [1], [2], [1, 4]] as const) {
      expect(await open(served, index, maxBytes)).toEqual(await open(unbundled, index, maxBytes));
    }
    expect(await open(served, 1)).toEqual({
      body: new Uint8Array(FILES[1]?.bytes ?? []),
      contentType: 'application/pdf',
    });
    // A part no longer as the item lists it (another size) is not served, as unbundled.
    const attachments = item.attachments?.map((a, i) => (i === 0 ? { ...a, sizeBytes: 3 } : a));
    const changed = { ...request, item: { ...item, attachments } };
    const refused = (reader: MailFiles) =>
      reader.attachment(changed, 0, 1024).catch((error: Error) => ({ error: error.name }));
    expect(await refused(served)).toEqual(await refused(unbundled));
    expect(await refused(served)).toEqual({ error: 'BadGatewayError' });
  }, 60_000);
});
