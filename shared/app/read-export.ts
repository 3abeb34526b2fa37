import type { Clock } from '#shared/domain/ports.js';
import type { ExportStore } from '#shared/domain/privacy.js';
import { NotFoundError } from '#shared/errors.js';

/**
 * An export written aside, for the admin who fetches it from its URL while it has not expired; a store
 * that hands out its own URLs (S3) is never read here.
 */
export async function readExport(
  deps: { exports?: ExportStore | undefined; clock: Clock },
  exportId: string,
): Promise<string> {
  const body = await deps.exports?.read?.(exportId, deps.clock.now().toISOString());
  if (body === undefined) throw new NotFoundError(`no export ${exportId}, or it has expired`);
  return body;
}
