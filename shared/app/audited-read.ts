import type { AuditAction } from '#shared/domain/audit.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';

/** The query of an audited read as its record keeps it: every value given, as text; a cursor as `yes`. */
export function auditedQuery(query: Record<string, unknown>): Record<string, string> {
  const kept = Object.entries(query).filter(([, value]) => value !== undefined && value !== null);
  return Object.fromEntries(kept.map(([key, value]) => [key, key === 'cursor' ? 'yes' : String(value)]));
}

/**
 * Runs a bulk read and writes its one audit record when it ends (see `audited`): who, the query it was
 * made with, and how many items it answered (`countOf` its result). No customers are named: a page of
 * the log would otherwise write an index entry per customer it held.
 */
export async function auditedRead<T>(
  deps: AuditDeps,
  read: { agentId: string; action: AuditAction; query: Record<string, string> },
  run: () => Promise<T>,
  countOf: (result: T) => number,
): Promise<T> {
  const entry: AuditEntry = { ...read, customerIds: [] };
  return audited(deps, entry, async () => {
    const result = await run();
    entry.count = countOf(result);
    return result;
  });
}
