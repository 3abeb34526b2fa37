import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_SWEEP_MINUTES } from '#shared/local/agent-load.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { waitUntil } from '../support/webhooks.js';

/** An export written aside as the local store writes it: its body and its expiry. */
function writeExport(dir: string, exportId: string, expiresAt: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${exportId}.json`), '{"customers":[{"name":"Ana"}]}');
  writeFileSync(join(dir, `${exportId}.expires`), expiresAt);
  return join(dir, `${exportId}.json`);
}

/**
 * Expired exports written aside under DATA_DIR go without anyone asking for them: at the runtime's
 * start and every hour on its clock. Before 2026-12-07 one stayed on disk until its URL was fetched.
 */
describe('local runtime: expired exports are swept', () => {
  const manual = new ManualTimers(Date.parse('2026-12-07T10:00:00.000Z'));
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let stale: string;
  let fresh: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'export-sweep-'));
    const exports = join(dataDir, 'exports');
    stale = writeExport(exports, 'ex_cu_1_stale', '2026-12-07T09:00:00.000Z');
    fresh = writeExport(exports, 'ex_cu_1_fresh', '2026-12-07T10:30:00.000Z');
    runtime = await startTestRuntime({ env: { DATA_DIR: dataDir }, persist: true, manualTime: manual });
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('deletes one expired before the start at once, and one that expires later within the hour', async () => {
    await waitUntil(() => !existsSync(stale), 'the expired export is deleted at start');
    expect(existsSync(fresh)).toBe(true);
    // The start's run finished (a run still going when the next falls due is not doubled).
    await runtime?.idle();
    manual.advance(EXPORT_SWEEP_MINUTES * 60_000);
    await waitUntil(() => !existsSync(fresh), 'the export expired since is deleted by the hourly sweep');
  });
});
