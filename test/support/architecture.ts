import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The repository's root, where functions/, shared/ and stacks/ are. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** The limits of the house issue: a file, a function and a Lambda handler. */
export const LIMITS = { fileLines: 400, functionLines: 80, handlerLines: 20 } as const;

/**
 * The layers, top to bottom, by path prefix (the first that matches wins). A module may import its own
 * layer's modules and those of the layers listed in `may`; nothing imports a layer above it.
 */
export const LAYERS: ReadonlyArray<{ name: string; prefixes: readonly string[]; may: readonly string[] }> = [
  {
    name: 'functions',
    prefixes: ['functions/'],
    may: ['lambda', 'api', 'app', 'adapters', 'http', 'domain', 'base'],
  },
  { name: 'stacks', prefixes: ['stacks/'], may: ['adapters', 'domain', 'base'] },
  { name: 'local', prefixes: ['shared/local/'], may: ['api', 'app', 'adapters', 'http', 'domain', 'base'] },
  { name: 'lambda', prefixes: ['shared/lambda/'], may: ['api', 'app', 'adapters', 'http', 'domain', 'base'] },
  { name: 'api', prefixes: ['shared/api/'], may: ['app', 'domain', 'base', 'http'] },
  { name: 'app', prefixes: ['shared/app/'], may: ['domain', 'base'] },
  {
    name: 'adapters',
    prefixes: [
      'shared/channels/',
      'shared/store/',
      'shared/responder/',
      'shared/queue/',
      'shared/aws/',
      'shared/config/',
    ],
    may: ['http', 'domain', 'base'],
  },
  { name: 'http', prefixes: ['shared/http/'], may: ['domain', 'base'] },
  { name: 'domain', prefixes: ['shared/domain/'], may: ['base'] },
  {
    name: 'base',
    prefixes: ['shared/errors.ts', 'shared/validation/', 'shared/log.ts', 'shared/backoff.ts'],
    may: [],
  },
];

/** Packages that the pure layers (domain, use cases) must not import: AWS, HTTP frameworks, the file system. */
const IMPURE_PACKAGES = [
  /^@aws-sdk\//,
  /^aws4$/,
  /^hono(\/|$)/,
  /^@hono\//,
  /^node:(fs|https?|child_process)/,
];
const PURE_LAYERS = new Set(['domain', 'app']);

/** Every TypeScript source file of the production tree (functions, shared, stacks), as root-relative paths. */
export function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = `${dir}/${name}`;
      if (name === 'node_modules' || name.startsWith('.')) continue;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const top of ['functions', 'shared', 'stacks']) walk(top);
  return out.sort();
}

/** The layer a root-relative path belongs to, or undefined for a path no layer names. */
export function layerOf(path: string): string | undefined {
  return LAYERS.find((layer) => layer.prefixes.some((prefix) => path.startsWith(prefix)))?.name;
}

/** The imports of one file: relative and `#shared/*` specifiers resolved to root-relative paths. */
export function importsOf(path: string, text: string): Array<{ spec: string; target?: string }> {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2023, true);
  const specs: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specs.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const toTs = (target: string) => target.replace(/\.js$/, '.ts');
  return specs.map((spec) => {
    if (spec.startsWith('#shared/')) return { spec, target: toTs(`shared/${spec.slice('#shared/'.length)}`) };
    if (spec.startsWith('#functions/'))
      return { spec, target: toTs(`functions/${spec.slice('#functions/'.length)}`) };
    if (spec.startsWith('.')) return { spec, target: toTs(relative(ROOT, resolve(ROOT, path, '..', spec))) };
    return { spec };
  });
}

/** The production tree's files with their text. */
export function readSources(): Array<{ path: string; text: string }> {
  return sourceFiles().map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
}

/** Imports that run upward or sideways against LAYERS, and impure imports in the pure layers. */
export function layerViolations(files = readSources()): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    const layer = layerOf(path);
    if (!layer) {
      out.push(`${path}: in no layer`);
      continue;
    }
    const allowed = new Set([layer, ...(LAYERS.find((l) => l.name === layer)?.may ?? [])]);
    for (const { spec, target } of importsOf(path, text)) {
      if (target === undefined) {
        if (PURE_LAYERS.has(layer) && IMPURE_PACKAGES.some((re) => re.test(spec))) {
          out.push(`${path}: ${layer} imports ${spec}`);
        }
        continue;
      }
      const targetLayer = layerOf(target);
      if (!targetLayer || !allowed.has(targetLayer)) out.push(`${path}: ${layer} imports ${target}`);
      if (layer === 'functions' && target.startsWith('functions/')) {
        const own = path.split('/').slice(0, 2).join('/');
        if (!target.startsWith(`${own}/`)) out.push(`${path}: imports another function's ${target}`);
      }
    }
    if (PURE_LAYERS.has(layer) && /\bprocess\.env\b/.test(text))
      out.push(`${path}: ${layer} reads process.env`);
  }
  return out;
}

/** Files over LIMITS.fileLines, handlers over LIMITS.handlerLines, functions over LIMITS.functionLines. */
export function sizeViolations(files = readSources()): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > LIMITS.fileLines) out.push(`${path}: ${lines} lines (file > ${LIMITS.fileLines})`);
    if (/^functions\/[^/]+\/handler\.ts$/.test(path) && lines > LIMITS.handlerLines) {
      out.push(`${path}: ${lines} lines (handler > ${LIMITS.handlerLines})`);
    }
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2023, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        if (end - start + 1 > LIMITS.functionLines) {
          const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
          out.push(
            `${path}:${start + 1} ${name}: ${end - start + 1} lines (function > ${LIMITS.functionLines})`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const all = [...layerViolations(), ...sizeViolations()];
  for (const line of all) console.log(line);
  console.log(`${all.length} violations`);
}
