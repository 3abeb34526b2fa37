import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newExportId } from '#shared/domain/privacy.js';
import { LocalExportStore } from '#shared/local/export-files.js';

describe('LocalExportStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['on disk', true],
    ['in memory', false],
  ])('keeps an export %s until it expires, then forgets it', async (_where, onDisk) => {
    const dir = onDisk ? join(mkdtempSync(join(tmpdir(), 'exports-')), 'exports') : undefined;
    if (dir) dirs.push(join(dir, '..'));
    const store = new LocalExportStore({ dir });
    const { url } = await store.save('ex_1', '{"customers":[]}', '2025-06-10T09:15:00.000Z');
    expect(url).toBe('/api/exports/ex_1');
    expect(await store.read('ex_1', '2025-06-10T09:14:59.000Z')).toBe('{"customers":[]}');
    expect(await store.read('ex_2', '2025-06-10T09:00:00.000Z')).toBeUndefined();
    expect(await store.read('ex_1', '2025-06-10T09:15:00.000Z')).toBeUndefined();
    if (dir) expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['on disk', true],
    ['in memory', false],
  ])(
    'sweeps expired exports %s, at most as many as asked a run, and none that has not expired',
    async (_where, onDisk) => {
      const dir = onDisk ? join(mkdtempSync(join(tmpdir(), 'exports-')), 'exports') : undefined;
      if (dir) dirs.push(join(dir, '..'));
      const store = new LocalExportStore({ dir });
      for (const n of [1, 2, 3]) await store.save(`ex_${n}`, '{}', '2025-06-10T09:00:00.000Z');
      await store.save('ex_4', '{}', '2025-06-10T10:00:00.000Z');
      expect(await store.sweepExpired('2025-06-10T09:30:00.000Z', 2)).toBe(2);
      expect(await store.sweepExpired('2025-06-10T09:30:00.000Z', 2)).toBe(1);
      expect(await store.sweepExpired('2025-06-10T09:30:00.000Z', 2)).toBe(0);
      expect(await store.read('ex_4', '2025-06-10T09:30:00.000Z')).toBe('{}');
      if (dir) expect(readdirSync(dir).sort()).toEqual(['ex_4.expires', 'ex_4.json']);
    },
  );

  it.each([
    ['on disk', true],
    ['in memory', false],
  ])('deletes every export of an erased customer %s, and only theirs', async (_where, onDisk) => {
    const dir = onDisk ? join(mkdtempSync(join(tmpdir(), 'exports-')), 'exports') : undefined;
    if (dir) dirs.push(join(dir, '..'));
    const store = new LocalExportStore({ dir });
    expect(await store.removeAllOf('cu_1')).toBe(0);
    const [mine, also, other] = [
      newExportId('cu_1', '0123456789abcdef'),
      newExportId('cu_1', 'fedcba9876543210'),
      newExportId('cu_10', '0123456789abcdef'),
    ];
    for (const id of [mine, also, other]) await store.save(id, '{}', '2025-06-10T09:15:00.000Z');
    expect(await store.removeAllOf('cu_1')).toBe(2);
    expect(await store.read(mine, '2025-06-10T09:00:00.000Z')).toBeUndefined();
    expect(await store.read(also, '2025-06-10T09:00:00.000Z')).toBeUndefined();
    expect(await store.read(other, '2025-06-10T09:00:00.000Z')).toBe('{}');
    if (dir) expect(readdirSync(dir).sort()).toEqual([`${other}.expires`, `${other}.json`]);
    expect(await store.removeAllOf('cu_1')).toBe(0);
  });

  it.each([
    ['on disk', true],
    ['in memory', false],
  ])("deletes an export of a merged group %s with any of its customers' erasure", async (_where, onDisk) => {
    const dir = onDisk ? join(mkdtempSync(join(tmpdir(), 'exports-')), 'exports') : undefined;
    if (dir) dirs.push(join(dir, '..'));
    const store = new LocalExportStore({ dir });
    const group = newExportId('cu_1', '0123456789abcdef');
    const other = newExportId('cu_20', '0123456789abcdef');
    await store.save(group, '{}', '2025-06-10T09:15:00.000Z', ['cu_2']);
    await store.save(other, '{}', '2025-06-10T09:15:00.000Z', ['cu_22']);
    expect(await store.removeAllOf('cu_2')).toBe(1);
    expect(await store.read(group, '2025-06-10T09:00:00.000Z')).toBeUndefined();
    expect(await store.read(other, '2025-06-10T09:00:00.000Z')).toBe('{}');
    if (dir) expect(readdirSync(dir).sort()).toEqual([`${other}.also`, `${other}.expires`, `${other}.json`]);
    expect(await store.removeAllOf('cu_2')).toBe(0);
  });
});
