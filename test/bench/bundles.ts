import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import {
  BEDROCK_ON_DEMAND,
  type OnDemandModule,
  onDemandOf,
  onDemandShipCommand,
  PHONE_ON_DEMAND,
  SES_ON_DEMAND,
  ZOD_COMPILE_ON_DEMAND,
  ZOD_WITHOUT_LOCALES,
} from '../../stacks/bundling/on-demand.js';
import { versionDefine } from '../../stacks/bundling/version.js';
import { agentToken } from '../support/agent-token.js';

/**
 * The functions, which are webhooks (bundled without keepNames, shown beside a naive bundle), which
 * others are bundled without keepNames, and what each loads on demand from a file beside its bundle
 * beyond every function's (EVERY_FUNCTION_ON_DEMAND), as the stack builds them.
 */
export const FUNCTIONS: Record<
  string,
  {
    webhook: boolean;
    keepNames?: boolean;
    onDemand?: OnDemandModule[];
    aliases?: Readonly<Record<string, string>>;
  }
> = {
  whatsapp: { webhook: true, onDemand: [ZOD_COMPILE_ON_DEMAND] },
  meta: { webhook: true, onDemand: [ZOD_COMPILE_ON_DEMAND] },
  'twilio-sms': { webhook: true, onDemand: [ZOD_COMPILE_ON_DEMAND] },
  'twilio-voice': { webhook: true, onDemand: [ZOD_COMPILE_ON_DEMAND] },
  ses: { webhook: true, onDemand: [ZOD_COMPILE_ON_DEMAND] },
  'ses-mail': { webhook: false },
  resolver: {
    webhook: false,
    onDemand: [BEDROCK_ON_DEMAND, SES_ON_DEMAND, ZOD_COMPILE_ON_DEMAND],
  },
  sender: { webhook: false, onDemand: [SES_ON_DEMAND] },
  'agent-api': {
    webhook: false,
    keepNames: false,
    onDemand: [PHONE_ON_DEMAND],
    aliases: ZOD_WITHOUT_LOCALES,
  },
  'agent-media': {
    webhook: false,
    keepNames: false,
    aliases: ZOD_WITHOUT_LOCALES,
  },
};

/** The settings the functions' module scope needs to load (dummy values: nothing is called). */
/** The token of the agent the bundled functions' environment (ENV) signs in. */
export const BENCH_AGENT_TOKEN = agentToken('bench');

export const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'threadline',
  INBOUND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/inbound',
  OUTBOUND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/outbound',
  META_APP_SECRET: 'bench',
  META_VERIFY_TOKEN: 'bench',
  TWILIO_AUTH_TOKEN: 'bench',
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:inbound',
  MAIL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/mail',
  AGENT_TOKENS: `bench:${BENCH_AGENT_TOKEN}`,
  TIMERS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/timers',
  TIMERS_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:timers',
  TIMERS_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/timers',
  TIMERS_SCHEDULE_GROUP: 'threadline-timers',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  // The resolver reads these next to its bundle on Lambda; here they stay in the repository.
  ROUTING_POLICY_FILE: fileURLToPath(
    new URL('../../shared/domain/routing/default-policy.json', import.meta.url),
  ),
  KNOWLEDGE_BASE_DIR: fileURLToPath(new URL('../../shared/responder/knowledge-base/', import.meta.url)),
};

/** The same esbuild options as the house CDK construct (ESM, minified, node22, SDK bundled, keepNames but for webhooks and the agent API, the version defined, every function's on-demand modules). */
export function bundleOptions(
  entry: string,
  outfile: string,
  keepNames: boolean,
  inject: string[] = [],
  onDemand: readonly OnDemandModule[] = [],
  aliases: Readonly<Record<string, string>> = {},
): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    keepNames,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    define: versionDefine(),
    inject,
    alias: { ...aliases, ...Object.fromEntries(onDemandOf(onDemand).map((m) => [m.specifier, m.shim])) },
    logLevel: 'silent',
  };
}

/**
 * Bundles as the stack does (bundleOptions' arguments), writes the files it loads on demand beside it
 * (those it reaches), and returns its size.
 */
export async function bundle(...args: Parameters<typeof bundleOptions>): Promise<number> {
  const [, outfile, , , onDemand = []] = args;
  await build(bundleOptions(...args));
  for (const m of onDemandOf(onDemand)) execSync(onDemandShipCommand(m, outfile));
  return statSync(outfile).size;
}

/**
 * The measuring entry point: a module that imports the bundle given as its argument and prints how long
 * that took. An entry *file*, not `node -e`: the Lambda runtime imports a handler from a running
 * module, with Node's ESM loader already started, while `node --input-type=module -e` starts the
 * loader inside the timed import (5 ms, charged even to an empty module).
 */
const MEASURE = `const t = performance.now();
const cpu = process.cpuUsage();
await import(process.argv[2]);
const used = process.cpuUsage(cpu);
process.stdout.write(\`\${performance.now() - t} \${(used.user + used.system) / 1000}\`);
`;

/**
 * Cold init: a fresh node process importing the bundle; the median of `runs`, as wall time and as the
 * process's CPU time (user + system) over the import. On a quiet machine the two are close; on a
 * loaded one the wall time grows with the waiting, the CPU time much less.
 */
function coldInit(measure: string, file: string, runs: number): { wall: number; cpu: number } {
  const times: number[] = [];
  const cpus: number[] = [];
  // One discarded run first: it pays for reading the file and node's binary into the page cache.
  for (let i = -1; i < runs; i++) {
    // stderr is kept for a failure's error only: the AWS SDK warns about Node 20 on every load.
    const out = execFileSync(process.execPath, [measure, file], {
      env: { ...process.env, ...ENV },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [wall, cpu] = out.split(' ').map(Number);
    if (i >= 0) {
      times.push(wall ?? Number.NaN);
      cpus.push(cpu ?? Number.NaN);
    }
  }
  const median = (values: number[]) =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { wall: median(times), cpu: median(cpus) };
}

const ms = (init: { wall: number; cpu: number }) =>
  `${init.wall.toFixed(1).padStart(7)} ms (cpu ${init.cpu.toFixed(1).padStart(5)})`;

/**
 * Bundle size and cold init of every function; beside each webhook, a naive bundle of the same code
 * that also loads the AWS SDK clients (and, for Twilio, all of `twilio`), as a webhook written the
 * usual way would.
 */
export async function bundleFigures(runs = 11): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-bundles-'));
  const naiveSdk = fileURLToPath(new URL('./naive-sdk.ts', import.meta.url));
  const naiveTwilio = fileURLToPath(new URL('./naive-twilio.ts', import.meta.url));
  try {
    const measure = join(dir, 'measure.mjs');
    writeFileSync(measure, MEASURE);
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export {};\n');
    console.log(
      'function        bundle (min)   cold init (median, wall and cpu)   naive bundle (+ SDK, + twilio)   naive init',
    );
    console.log(`  (empty module)      0 KB ${ms(coldInit(measure, empty, runs))}`);
    for (const [name, { webhook, keepNames = !webhook, onDemand, aliases }] of Object.entries(FUNCTIONS)) {
      const file = join(dir, `${name}.mjs`);
      const size = await bundle(`functions/${name}/handler.ts`, file, keepNames, [], onDemand, aliases);
      const init = coldInit(measure, file, runs);
      let naiveText = '';
      if (webhook) {
        const naiveFile = join(dir, `${name}-naive.mjs`);
        const inject = name.startsWith('twilio') ? [naiveSdk, naiveTwilio] : [naiveSdk];
        const naiveSize = await bundle(`functions/${name}/handler.ts`, naiveFile, false, inject);
        naiveText = `${(naiveSize / 1024).toFixed(0).padStart(8)} KB   ${ms(coldInit(measure, naiveFile, runs))}`;
      }
      console.log(
        `${(webhook ? '* ' : '  ') + name.padEnd(14)}${(size / 1024).toFixed(0).padStart(7)} KB ${ms(init)}          ${naiveText}`,
      );
    }
    console.log('(* webhook functions)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
