import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { customerOfExport, type ExportStore } from '#shared/domain/privacy.js';
import { PRIVATE_DIR, PRIVATE_FILE } from './private-files.js';

/**
 * Exports too large for one response, kept by the local runtime as files under `<dataDir>/exports`
 * (in memory without a data dir) and served to admins at `/api/exports/{id}` until they expire; an
 * expired one is deleted when next asked for or by the runtime's sweep (`sweepExpired`, at start and
 * hourly), and every one of a customer when they are erased.
 */
export class LocalExportStore implements ExportStore {
  readonly #dir: string | undefined;
  readonly #memory = new Map<string, { body: string; expiresAt: string; alsoOf: readonly string[] }>();

  constructor(options: { dir?: string | undefined } = {}) {
    this.#dir = options.dir;
  }

  async save(
    exportId: string,
    body: string,
    expiresAt: string,
    alsoOf: readonly string[] = [],
  ): Promise<{ url: string }> {
    if (this.#dir) {
      await mkdir(this.#dir, { recursive: true, mode: PRIVATE_DIR });
      // The other customers of a merged group first, so their erasure finds the export once it is there.
      if (alsoOf.length > 0) {
        await writeFile(join(this.#dir, `${exportId}.also`), alsoOf.join('\n'), { mode: PRIVATE_FILE });
      }
      await writeFile(join(this.#dir, `${exportId}.json`), body, { mode: PRIVATE_FILE });
      await writeFile(join(this.#dir, `${exportId}.expires`), expiresAt, { mode: PRIVATE_FILE });
    } else this.#memory.set(exportId, { body, expiresAt, alsoOf });
    return { url: `/api/exports/${exportId}` };
  }

  async read(exportId: string, now: string): Promise<string | undefined> {
    const kept = this.#dir ? await this.#readFiles(exportId) : this.#memory.get(exportId);
    if (!kept) return undefined;
    if (kept.expiresAt > now) return kept.body;
    await this.#forget(exportId);
    return undefined;
  }

  /**
   * Deletes exports expired at `now`, at most `limit` of them (a run's work is bounded: the next run
   * takes the rest); answers how many. Reads each export's expiry only, never its body. One whose
   * expiry is not written yet (a save under way, or cut short) is left.
   */
  async sweepExpired(now: string, limit: number): Promise<number> {
    const ids = this.#dir ? await this.#storedIds() : [...this.#memory.keys()];
    let removed = 0;
    for (const exportId of ids) {
      if (removed >= limit) break;
      const expiresAt = this.#dir
        ? await readFile(join(this.#dir, `${exportId}.expires`), 'utf8').catch(() => undefined)
        : this.#memory.get(exportId)?.expiresAt;
      if (expiresAt === undefined || expiresAt > now) continue;
      await this.#forget(exportId);
      removed += 1;
    }
    return removed;
  }

  async removeAllOf(customerId: string): Promise<number> {
    const ids = this.#dir ? await this.#storedIds() : [...this.#memory.keys()];
    const theirs: string[] = [];
    for (const exportId of ids) {
      if (customerOfExport(exportId) === customerId) theirs.push(exportId);
      else if ((await this.#alsoOf(exportId)).includes(customerId)) theirs.push(exportId);
    }
    for (const exportId of theirs) await this.#forget(exportId);
    return theirs.length;
  }

  /** The other customers of the merged group an export holds (none for a customer's own). */
  async #alsoOf(exportId: string): Promise<readonly string[]> {
    if (!this.#dir) return this.#memory.get(exportId)?.alsoOf ?? [];
    const text = await readFile(join(this.#dir, `${exportId}.also`), 'utf8').catch(() => '');
    return text.split('\n').filter((id) => id !== '');
  }

  /** The ids of the exports on disk, from either of their two files (a crash may have left one, or only the `.also` list). */
  async #storedIds(): Promise<string[]> {
    const names = await readdir(this.#dir as string).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const ids = names.map((name) => /^(.+)\.(?:json|expires|also)$/.exec(name)?.[1]);
    return [...new Set(ids.filter((id) => id !== undefined))];
  }

  async #readFiles(exportId: string): Promise<{ body: string; expiresAt: string } | undefined> {
    const dir = this.#dir as string;
    try {
      const expiresAt = await readFile(join(dir, `${exportId}.expires`), 'utf8');
      return { body: await readFile(join(dir, `${exportId}.json`), 'utf8'), expiresAt };
    } catch {
      return undefined;
    }
  }

  async #forget(exportId: string): Promise<void> {
    this.#memory.delete(exportId);
    if (!this.#dir) return;
    await rm(join(this.#dir, `${exportId}.json`), { force: true });
    await rm(join(this.#dir, `${exportId}.expires`), { force: true });
    // Last: until it goes, a retried erasure of another customer of the group still finds the export.
    await rm(join(this.#dir, `${exportId}.also`), { force: true });
  }
}
