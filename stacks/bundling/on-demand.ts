import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A dependency too heavy to load at cold start for what it does: bundles import `shim` in its place,
 * and the module itself is bundled on its own as `file`, beside the function's bundle, which `shim`
 * requires the first time it is used.
 */
export interface OnDemandModule {
  /** The import specifier the function's code uses. */
  readonly specifier: string;
  /** The module bundles import instead (absolute path). */
  readonly shim: string;
  /** The module's own entry file (absolute path), bundled into `file`. */
  readonly entry: string;
  /** The CommonJS file written next to the function's bundle. */
  readonly file: string;
}

/** `eld`'s language detection: its n-grams are two thirds of the resolver's bundle and 250 ms of its init. */
export const ELD_ON_DEMAND: OnDemandModule = {
  specifier: 'eld/small',
  shim: `${projectRoot}stacks/bundling/eld-on-demand.ts`,
  entry: `${projectRoot}node_modules/eld/src/entries/static.small.js`,
  file: 'eld-small.cjs',
};

/** An AWS SDK client package, required from beside the bundle when the function first calls it. */
function sdkOnDemand(name: string, shim: string): OnDemandModule {
  return {
    specifier: `@aws-sdk/${name}`,
    shim: `${projectRoot}stacks/bundling/${shim}`,
    entry: `${projectRoot}node_modules/@aws-sdk/${name}/dist-cjs/index.js`,
    file: `${name}.cjs`,
  };
}

/**
 * Amazon Bedrock's client for the resolver: ~330 KB of SDK and ~40 ms of cold start, used only when
 * BEDROCK_MODEL_ID is set, and then loaded by the first Converse call.
 */
export const BEDROCK_ON_DEMAND = sdkOnDemand('client-bedrock-runtime', 'bedrock-on-demand.ts');

/** SES's client for the sender: loaded by the first email reply, never by SMS, WhatsApp or Messenger ones. */
export const SES_ON_DEMAND = sdkOnDemand('client-ses', 'ses-on-demand.ts');

/**
 * `libphonenumber-js` for the agent API (~124 KB, ~8 ms of cold start): only requests that carry a
 * phone number parse one. The resolver parses one per message and keeps it in its bundle.
 */
export const PHONE_ON_DEMAND: OnDemandModule = {
  specifier: 'libphonenumber-js',
  shim: `${projectRoot}stacks/bundling/phone-on-demand.ts`,
  entry: `${projectRoot}node_modules/libphonenumber-js/index.cjs`,
  file: 'libphonenumber-js.cjs',
};

/**
 * The MIME reader for the agent media function (mailparser, its charset tables, html-to-text: ~1.4 MB
 * of a 1.9 MB bundle): only an emailed file's request reads a mail, uploads and recordings never do.
 * mail-files.ts imports it by this specifier; the mail functions keep it bundled.
 */
export const MAIL_MIME_ON_DEMAND: OnDemandModule = {
  specifier: '#shared/channels/ses/mail-content.js',
  shim: `${projectRoot}stacks/bundling/mail-mime-on-demand.ts`,
  entry: `${projectRoot}shared/channels/ses/mail-content.ts`,
  file: 'mail-mime.cjs',
};

/**
 * The knowledge base's stemmers of languages other than English for the resolver (~52 KB): only a
 * knowledge base written in one of them loads it, once, when it is first built.
 */
export const STEMMERS_ON_DEMAND: OnDemandModule = {
  specifier: '#shared/responder/knowledge-base-stemmers.js',
  shim: `${projectRoot}stacks/bundling/stemmers-on-demand.ts`,
  entry: `${projectRoot}shared/responder/knowledge-base-stemmers.ts`,
  file: 'kb-stemmers.cjs',
};

/**
 * zod's schema compiler for the webhooks (~33 KB of a 150 KB budget): `hot` (shared/validation/hot.ts)
 * imports `compile` as `#zod-compile` (package.json's `imports`: `zod/v4/core`), and calls it only
 * on a schema's 100th parse, so a cold start never needs it.
 */
export const ZOD_COMPILE_ON_DEMAND: OnDemandModule = {
  specifier: '#zod-compile',
  shim: `${projectRoot}stacks/bundling/zod-compile-on-demand.ts`,
  entry: `${projectRoot}node_modules/zod/v4/core/compile.js`,
  file: 'zod-compile.cjs',
};

/**
 * `zod` without its locales, for bundles whose dependencies import zod's `z` namespace whole (the agent
 * API, through `@hono/zod-openapi`): the folder mirrors the `zod` specifiers the functions use, and its
 * classic API leaves out `locales` (~320 KB; English stays the default). An esbuild alias, so the
 * stack's command-line bundling can use it.
 */
export const ZOD_WITHOUT_LOCALES: Readonly<Record<string, string>> = {
  zod: `${projectRoot}stacks/bundling/zod-en`,
};

/**
 * The modules every function loads on demand, whatever it lists: each is heavy (eld's n-grams 1.6 MB,
 * the MIME reader 1.4 MB, the stemmers 52 KB), and an import that newly reaches one must not inline it
 * unnoticed. Their shims replace them in every bundle; a bundle that never reaches one holds no shim,
 * and gets no file (onDemandShipCommand). The mail functions' own imports of the MIME reader are
 * relative (`./mail-content.js`), not this specifier, so they keep it bundled.
 */
export const EVERY_FUNCTION_ON_DEMAND: readonly OnDemandModule[] = [
  ELD_ON_DEMAND,
  MAIL_MIME_ON_DEMAND,
  STEMMERS_ON_DEMAND,
];

/** What a function loads on demand: EVERY_FUNCTION_ON_DEMAND and those it lists, each once. */
export function onDemandOf(listed: readonly OnDemandModule[] = []): OnDemandModule[] {
  return [...new Set([...EVERY_FUNCTION_ON_DEMAND, ...listed])];
}

/** esbuild `--alias` values (`specifier=path`) for `aliases` and the shims of `onDemand`. */
export function aliasArgs(
  aliases: Readonly<Record<string, string>>,
  onDemand: readonly OnDemandModule[],
): string[] {
  return [
    ...Object.entries(aliases).map(([specifier, path]) => `${specifier}=${path}`),
    ...onDemand.map((m) => `${m.specifier}=${m.shim}`),
  ];
}

/**
 * The esbuild command that writes `module.file` into `outdir` (run after bundling by the function
 * construct, and by the bundle benchmark), for the functions' target.
 */
export function onDemandBuildCommand(module: OnDemandModule, outdir: string): string {
  const esbuild = `${projectRoot}node_modules/.bin/esbuild`;
  return `"${esbuild}" "${module.entry}" --bundle --platform=node --format=cjs --target=node22 --minify --log-level=warning --outfile="${outdir}/${module.file}"`;
}

/**
 * The shell command that writes `module.file` beside `bundle` if the bundle reaches the module's shim,
 * which names that file to load it; a bundle that never reaches it ships without it.
 */
export function onDemandShipCommand(module: OnDemandModule, bundle: string): string {
  return `if grep -qF "${module.file}" "${bundle}"; then ${onDemandBuildCommand(module, dirname(bundle))}; fi`;
}
