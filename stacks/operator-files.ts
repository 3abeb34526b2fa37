import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/config.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { routingPolicyWarnings } from '#shared/domain/routing/policy-warnings.js';
import { readKnowledgeBase } from '#shared/responder/knowledge-base.js';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));

/** Where Lambda unpacks a function's bundle (LAMBDA_TASK_ROOT), so where its copied files are. */
export const LAMBDA_TASK_ROOT = '/var/task';

/** A file or folder of the project copied beside a bundle under another name. */
export interface BundledAsset {
  /** From the project root. */
  readonly from: string;
  /** Its name beside the bundle. */
  readonly to: string;
}

/** A setting that names a file or folder: its context key, its readers, its name beside the bundle, its check. */
interface OperatorFile {
  readonly context: string;
  readonly readers: readonly string[];
  readonly bundled: string;
  readonly kind: 'file' | 'folder';
  readonly check?: (path: string) => void;
}

/**
 * The settings that name a file or folder of the operator's (a path in the project, given as context):
 * on AWS it is copied beside the bundle of each function that reads it, and the setting points there;
 * unset, the functions read the shipped policy and sample articles copied beside them.
 */
export const operatorFiles = {
  ROUTING_POLICY_FILE: {
    context: 'routingPolicyFile',
    readers: ['resolver', 'agent-api', 'webchat', 'timers', 'sender', 'twilio-voice'],
    bundled: 'operator-routing-policy.json',
    kind: 'file',
    // A policy with an error would stop every function that reads it at start: stop the synth instead.
    check: (path: string) => void loadRoutingPolicy(path, 'routingPolicyFile'),
  },
  KNOWLEDGE_BASE_DIR: {
    context: 'knowledgeBaseDir',
    readers: ['resolver'],
    bundled: 'operator-knowledge-base',
    kind: 'folder',
    // An article without a heading, or a synonyms.json with an error, would stop the resolver at start,
    // and every inbound message with it: stop the synth instead.
    check: (path: string) => void readKnowledgeBase(path),
  },
} as const satisfies Partial<Record<keyof Config, OperatorFile>>;

type OperatorFileName = keyof typeof operatorFiles;

/** The operator's file for `name` as a path from the project root, checked, or undefined when unset. */
function operatorPath(scope: Construct, name: OperatorFileName): string | undefined {
  const setting: OperatorFile = operatorFiles[name];
  const raw: unknown = scope.node.tryGetContext(setting.context);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const absolute = resolve(projectRoot, String(raw));
  const fromRoot = relative(projectRoot, absolute);
  const refuse = (why: string): never => {
    throw new Error(`${setting.context}: ${why}`);
  };
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) refuse('a path inside the project (it is bundled)');
  // It goes into the bundling's shell command, quoted.
  if (/["$`\\]/.test(fromRoot)) refuse('a path without quotes, `$`, backquotes or backslashes');
  if (!existsSync(absolute)) refuse(`${raw} does not exist`);
  const isFolder = statSync(absolute).isDirectory();
  if (isFolder !== (setting.kind === 'folder')) refuse(`${raw} is not a ${setting.kind}`);
  try {
    setting.check?.(absolute);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A check that names the key itself (the routing policy's) is not prefixed twice.
    refuse(message.startsWith(`${setting.context}: `) ? message.slice(setting.context.length + 2) : message);
  }
  if (name === 'ROUTING_POLICY_FILE') warnOfPolicy(scope, absolute);
  return fromRoot;
}

/** The stacks already warned of their routing policy's warnings (each function reading it asks again). */
const warned = new WeakSet<Construct>();

/** The routing policy's warnings (`routingPolicyWarnings`) as the synth's warnings, once per stack (per app when asked outside one). */
function warnOfPolicy(scope: Construct, path: string): void {
  const stack = scope.node.scopes.findLast((c) => Stack.isStack(c)) ?? scope.node.root;
  if (warned.has(stack)) return;
  warned.add(stack);
  for (const [i, warning] of routingPolicyWarnings(loadRoutingPolicy(path), new Date()).entries()) {
    Annotations.of(stack).addWarningV2(`threadline:routing-policy-${i}`, `routingPolicyFile: ${warning}`);
  }
}

/**
 * What the function running `source` gets of the operator's files: each copied beside its bundle, and
 * the setting that points there.
 */
export function operatorFileAssets(
  scope: Construct,
  source: string,
): { assets: BundledAsset[]; environment: Record<string, string> } {
  const assets: BundledAsset[] = [];
  const environment: Record<string, string> = {};
  for (const name of Object.keys(operatorFiles) as OperatorFileName[]) {
    const setting: OperatorFile = operatorFiles[name];
    if (!setting.readers.includes(source)) continue;
    const from = operatorPath(scope, name);
    if (from === undefined) continue;
    assets.push({ from, to: setting.bundled });
    environment[name] = `${LAMBDA_TASK_ROOT}/${setting.bundled}`;
  }
  return { assets, environment };
}
