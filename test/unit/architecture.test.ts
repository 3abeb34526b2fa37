import { describe, expect, it } from 'vitest';
import { layerOf, layerViolations, sizeViolations } from '../support/architecture.js';

const lines = (n: number, line = 'const x = 1;') => Array.from({ length: n }, () => line).join('\n');

describe('the layers', () => {
  it('places every production folder in a layer', () => {
    expect(layerOf('functions/whatsapp/handler.ts')).toBe('functions');
    expect(layerOf('shared/app/route-message.ts')).toBe('app');
    expect(layerOf('shared/domain/envelope.ts')).toBe('domain');
    expect(layerOf('shared/store/keys.ts')).toBe('adapters');
    expect(layerOf('shared/errors.ts')).toBe('base');
    expect(layerOf('shared/backoff.ts')).toBe('base');
    expect(layerOf('shared/somewhere-new/x.ts')).toBeUndefined();
  });

  it('finds an upward import, a sideways import between functions, and impurity in the pure layers', () => {
    const found = layerViolations([
      { path: 'shared/domain/a.ts', text: "import { x } from '../app/b.js';" },
      { path: 'shared/app/b.ts', text: "import { Hono } from 'hono';\nconst t = process.env.TABLE;" },
      { path: 'shared/app/c.ts', text: "import { DynamoStore } from '#shared/store/dynamo-store.js';" },
      { path: 'shared/channels/x/y.ts', text: "export { z } from '../../local/runtime.js';" },
      { path: 'functions/a/handler.ts', text: "import { h } from '#functions/b/app.js';" },
      { path: 'shared/api/d.ts', text: "const m = await import('#shared/store/keys.js');" },
    ]);
    expect(found).toEqual([
      'shared/domain/a.ts: domain imports shared/app/b.ts',
      'shared/app/b.ts: app imports hono',
      'shared/app/b.ts: app reads process.env',
      'shared/app/c.ts: app imports shared/store/dynamo-store.ts',
      'shared/channels/x/y.ts: adapters imports shared/local/runtime.ts',
      "functions/a/handler.ts: imports another function's functions/b/app.ts",
      'shared/api/d.ts: api imports shared/store/keys.ts',
    ]);
  });

  it('accepts imports that point down', () => {
    const found = layerViolations([
      { path: 'shared/app/a.ts', text: "import type { Envelope } from '../domain/envelope.js';" },
      { path: 'functions/r/handler.ts', text: "import { h } from '#shared/lambda/resolver.js';" },
      { path: 'shared/store/s.ts', text: "import { x } from '#shared/errors.js';\nimport 'zod';" },
    ]);
    expect(found).toEqual([]);
  });

  // The whole tree is read and parsed: seconds on a loaded machine, past the unit tests' 5 s.
  it('holds for the whole tree', () => {
    expect(layerViolations()).toEqual([]);
  }, 60_000);
});

describe('the sizes', () => {
  it('finds a long file, a long function and a long handler', () => {
    const found = sizeViolations([
      { path: 'shared/domain/long.ts', text: `${lines(401)}\n` },
      { path: 'shared/app/f.ts', text: `export function f() {\n${lines(79)}\n}\n` },
      { path: 'shared/app/g.ts', text: `export const g = () => {\n${lines(78)}\n};\n` },
      { path: 'functions/x/handler.ts', text: lines(21) },
    ]);
    expect(found).toEqual([
      'shared/domain/long.ts: 401 lines (file > 400)',
      'shared/app/f.ts:1 f: 81 lines (function > 80)',
      'functions/x/handler.ts: 21 lines (handler > 20)',
    ]);
  });

  it('holds for the whole tree', () => {
    expect(sizeViolations()).toEqual([]);
  }, 60_000);
});
