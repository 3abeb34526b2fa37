import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Config, ConfigSchema } from '#shared/config/config.js';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { copyAsset, ThreadlineFunction } from '../../stacks/constructs/threadline-function.js';
import { operatorFileAssets, operatorFiles } from '../../stacks/operator-files.js';
import { providerSecretKeys, signingSecretKeys } from '../../stacks/secrets.js';
import { operatorEnvironment, operatorSettings } from '../../stacks/settings.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { appWith } from '../support/cdk-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const settingNames = Object.keys(ConfigSchema.shape) as (keyof Config)[];

/**
 * The settings a function's code reads: its handler bundled as the stack bundles it (tree-shaken, so
 * code it imports but never runs does not count), then every `.NAME` or `'NAME'` of the config schema.
 * The config loader's own check of AGENT_TOKENS, which every function runs, is not a read, nor is its
 * list of the signing secret's keys.
 */
async function settingsRead(source: string): Promise<Set<keyof Config>> {
  const out = await build({
    entryPoints: [`${root}functions/${source}/handler.ts`],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const text = (out.outputFiles[0]?.text ?? '')
    .replaceAll('parseAgentTokens(result.data.AGENT_TOKENS)', '')
    // The loader's list of the signing secret's keys, which it uses to sort keys between the secrets.
    .replace(/var SIGNING_SECRET_KEYS\d* = \[[^\]]*\];/, '');
  return new Set(settingNames.filter((name) => new RegExp(`\\.${name}\\b|["'\`]${name}["'\`]`).test(text)));
}

/** Every operator setting in context, as `cdk synth -c …` gives it. */
const everySetting: Record<string, string> = {
  defaultRegion: 'GB',
  reopenWindowHours: '48',
  emailFormSenders: 'forms@shop.example,@mailer.example',
  emailFallbackCharset: 'windows-1256',
  metaPageId: '117172741761305',
  metaInstagramAccountId: '17841400000000000',
  metaAutomationAppIds: '1517776481860111',
  sesMessageIdDomain: 'eu-west-1.amazonses.com',
  voiceGreeting: 'Thanks for calling Example Shop.',
  voiceClosedGreeting: 'We are closed: please leave a message.',
  voiceWithheldMessage: 'Please call again with your number shown.',
  voiceFarewell: 'Thank you, goodbye.',
  voiceSayLanguage: 'en-GB',
  voiceSayVoice: 'Polly.Amy',
  voiceTranscribe: 'false',
  maxBodyBytes: '2097152',
  exportInlineBytes: '1048576',
  bedrockModelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  bedrockTimeoutMs: '12000',
  webhookTimeoutMs: '5000',
  webchatAllowedOrigins: 'https://shop.example',
  webchatEmailFallbackDelay: 'PT30M',
  webchatBusinessName: 'Example Shop',
  webchatSessionTtl: 'PT1H',
  publicBaseUrl: 'https://support.example',
  routingPolicyFile: 'shared/domain/routing/default-policy.json',
  knowledgeBaseDir: 'shared/responder/knowledge-base',
};

/** Read from a secret, not the environment: the function needs the variable naming that secret. */
const fromSecret = new Map<keyof Config, 'PROVIDER_SECRET_ARN' | 'SIGNING_SECRET_ARN'>([
  ...providerSecretKeys.map((key) => [key, 'PROVIDER_SECRET_ARN'] as const),
  ...signingSecretKeys.map((key) => [key, 'SIGNING_SECRET_ARN'] as const),
]);

/** Read on AWS with no value of the stack's, and why. */
const notPassed: Partial<Record<keyof Config, string>> = {
  PORT: 'the local runtime only',
  DATA_DIR: 'the local runtime only',
  SNS_TRUSTED_CERT_FILE: 'offline development and tests only',
  WEBHOOK_ALLOW_LOOPBACK_HTTP: 'testing only: AWS never posts to loopback by default',
  TWILIO_API_URL:
    "the local runtime and tests only (a fake provider); on AWS files come from Twilio's own API",
  META_GRAPH_URL: "the local runtime and tests only (a fake provider); on AWS files come from Meta's own API",
  AGENT_TOKENS:
    'only where agents are not signed in by Cognito (the local runtime); the stack sets Cognito up',
};

/** Settings a function's code reads but it never uses, and why. */
const unused: Record<string, Partial<Record<keyof Config, string>>> = {
  'agent-api': { PUBLIC_BASE_URL: 'survey links are made by the timers function, which fires surveys' },
  resolver: {
    CSAT_SIGNING_SECRET: 'survey links are made by the timers function, which fires surveys',
  },
  'live-stream': {
    COGNITO_USER_POOL_ID: "shares the socket function's loader; only the socket signs agents in",
    COGNITO_CLIENT_ID: 'the same',
  },
};

/**
 * The variables naming a secret, which the shared loader reads in every function: a function needs
 * one only for the keys it reads from that secret, which `fromSecret` checks key by key.
 */
const secretArns = new Set<keyof Config>(['PROVIDER_SECRET_ARN', 'SIGNING_SECRET_ARN']);

function functionsOf(context: Record<string, string>) {
  const app = appWith(context);
  const stateful = new StatefulStack(app, 'ThreadlineStateful');
  const api = new ApiStack(app, 'ThreadlineApi', statefulInputs(stateful));
  return api.node
    .findAll()
    .filter((c): c is ThreadlineFunction => c instanceof ThreadlineFunction)
    .map((fn) => {
      const variables = Stack.of(fn).resolve(
        (fn.node.defaultChild as { environment?: { variables?: Record<string, unknown> } }).environment,
      ) as { variables?: Record<string, unknown> } | undefined;
      return { source: fn.source, env: variables?.variables ?? {} };
    });
}

describe('the stack passes every setting a function reads', () => {
  const functions = functionsOf(everySetting);
  const reads = new Map<string, Set<keyof Config>>();

  beforeAll(async () => {
    for (const { source } of functions) reads.set(source, await settingsRead(source));
  }, 60_000);

  it('builds each function once', () => {
    expect(new Set(functions.map((f) => f.source)).size).toBe(functions.length);
  });

  it.each(functions.map((f) => [f.source, f]))('gives %s each setting its code reads', (source, fn) => {
    const missing = [...(reads.get(source) ?? [])].filter((name) => {
      if (notPassed[name] || unused[source]?.[name] || secretArns.has(name)) return false;
      const secret = fromSecret.get(name);
      if (secret) return !(secret in fn.env);
      return !(name in fn.env);
    });
    expect(missing).toEqual([]);
  });

  it('names as readers of an operator setting only functions that read it', () => {
    for (const [name, setting] of Object.entries({ ...operatorSettings, ...operatorFiles })) {
      for (const reader of setting.readers) {
        expect(reads.get(reader)?.has(name as keyof Config), `${reader} reads ${name}`).toBe(true);
      }
    }
  });

  it('has a context key for every setting of the schema that is neither the stack’s nor a secret', () => {
    expect(Object.keys(everySetting).sort()).toEqual(
      [
        ...Object.values({ ...operatorSettings, ...operatorFiles }).map((s) => s.context),
        'publicBaseUrl',
      ].sort(),
    );
  });

  it('sets no operator setting when context gives none: the functions keep their defaults', () => {
    for (const { env } of functionsOf({})) {
      const operators = { ...operatorSettings, ...operatorFiles };
      expect(Object.keys(env).filter((name) => name in operators)).toEqual([]);
    }
  });

  it.each([
    [{ reopenWindowHours: 'soon' }, 'reopenWindowHours'],
    [{ emailFormSenders: 'not an address' }, 'emailFormSenders: addresses or @domains'],
    [
      { emailFallbackCharset: 'x-klingon' },
      'emailFallbackCharset: "x-klingon" is no charset a decoder knows',
    ],
    [{ webchatEmailFallbackDelay: '15 minutes' }, 'webchatEmailFallbackDelay: an ISO 8601 duration'],
    [{ defaultRegion: 'gb' }, 'defaultRegion'],
    [{ defaultRegion: 'UK' }, 'defaultRegion: UK is not a region libphonenumber-js knows'],
    [
      { webchatAllowedOrigins: 'shop.example.com' },
      'webchatAllowedOrigins: "shop.example.com" is not an origin',
    ],
    [{ webchatAllowedOrigins: ['https://a.example', 'https://b.example/chat'] }, '"https://b.example/chat"'],
    [{ webchatAllowedOrigins: '*' }, 'webchatAllowedOrigins: "*" has a wildcard (*)'],
    [{ webchatEmailFallbackDelay: 'PT10S' }, 'webchatEmailFallbackDelay: "PT10S" is under a minute'],
    [{ webchatEmailFallbackDelay: 'P30D' }, 'webchatEmailFallbackDelay: "P30D" is over 7 days'],
    [{ webchatBusinessName: 'B'.repeat(120) }, 'webchatBusinessName: 120 characters, over 100'],
    [{ webhookTimeoutMs: '25000' }, 'webhookTimeoutMs'],
    // 4096 bytes refused an ordinary WhatsApp message (its batch of one, a 5 KB text) with 413.
    [{ maxBodyBytes: '4096' }, 'maxBodyBytes: 4096 bytes is under the 524288'],
    [{ routingPolicyFile: '../policy.json' }, 'routingPolicyFile: a path inside the project'],
    [{ routingPolicyFile: 'no/such/policy.json' }, 'routingPolicyFile: no/such/policy.json does not exist'],
    [
      { routingPolicyFile: 'package.json' },
      /^routingPolicyFile: \S*\/package\.json: invalid routing policy: /,
    ],
    [{ knowledgeBaseDir: 'package.json' }, 'knowledgeBaseDir: package.json is not a folder'],
    [
      { knowledgeBaseDir: 'test/fixtures/knowledge-base/no-heading' },
      /^knowledgeBaseDir: \S*test\/fixtures\/knowledge-base\/no-heading\/shipping\.md: article shipping has no heading/,
    ],
  ])('refuses the context %j at synth, naming the key', (context, message) => {
    // What each function made asks for its settings, without making the stacks again.
    const asked = () => {
      for (const source of ['resolver', 'ses-mail', 'agent-api', 'webhooks', 'whatsapp']) {
        operatorEnvironment(appWith(context), source);
        operatorFileAssets(appWith(context), source);
      }
    };
    expect(asked).toThrow(message);
  });

  it('accepts a knowledge-base folder with a README.md and a template beside its articles at synth', () => {
    // They are not articles: a README without a heading stopped the synth as "article README has no heading".
    const context = { knowledgeBaseDir: 'test/fixtures/knowledge-base/with-readme' };
    expect(operatorFileAssets(appWith(context), 'resolver').environment).toEqual({
      KNOWLEDGE_BASE_DIR: '/var/task/operator-knowledge-base',
    });
  });

  it('points the file settings at their copies beside the bundle, and copies them there', () => {
    const resolver = functions.find((f) => f.source === 'resolver');
    expect(resolver?.env).toMatchObject({
      ROUTING_POLICY_FILE: '/var/task/operator-routing-policy.json',
      KNOWLEDGE_BASE_DIR: '/var/task/operator-knowledge-base',
    });
    expect(copyAsset({ from: 'policies/shop.json', to: 'operator-routing-policy.json' }, '/in', '/out')).toBe(
      'cp -R "/in/policies/shop.json" "/out/operator-routing-policy.json"',
    );
    expect(copyAsset('shared/responder/knowledge-base', '/in', '/out')).toBe(
      'cp -R "/in/shared/responder/knowledge-base" "/out/"',
    );
  });
});
