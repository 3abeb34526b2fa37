import { open, rename, unlink } from 'node:fs/promises';
import { PRIVATE_FILE } from './private-files.js';

/**
 * Writes `text` to `file` so that a crash leaves the old file or the new, never half of one: a
 * temporary file beside it (`<file>.tmp`, which a reload drops), fsync'd, then renamed into place;
 * its owner's alone (`PRIVATE_FILE`).
 */
export async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(`${file}.tmp`, 'w', PRIVATE_FILE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(`${file}.tmp`, file);
}

/** Removes `file`; one already gone is fine. */
export async function removeIfThere(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
