import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { logger } from '../log.js';

/**
 * The modes of what the local runtime writes under DATA_DIR, customers' data all of it (the table,
 * queued messages, the outbox, the change feed's images, exports, uploaded files, timers): files its
 * owner's alone to read and write, folders its owner's alone to enter. Before 2026-12-07 files were
 * made 0644 and folders 0755, readable by every user of the machine.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Makes `dir` (and any folder above it that is missing) as a private folder. */
export function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
}

/**
 * Makes DATA_DIR private, or takes a DATA_DIR made before (0755) back to 0700, which keeps what it
 * already holds, and what a library writes in it (dynalite's LevelDB files), from other users. A
 * folder that cannot be changed (not its owner's) is said in a log line, not refused.
 */
export function privateDataDir(dataDir: string): void {
  privateFolder(dataDir);
  if ((statSync(dataDir).mode & 0o077) === 0) return;
  try {
    chmodSync(dataDir, PRIVATE_DIR);
  } catch (error) {
    logger.warn('DATA_DIR left readable by others', { dataDir, code: (error as NodeJS.ErrnoException).code });
  }
}
