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

/**
 * A page of a list larger than this is a bulk read, audited: the console asks 25 customers, 50 inbox
 * rows, and no page of survey answers; 51 to 200 at a time is a copy being made.
 */
export const LIST_AUDITED_ABOVE = 50;

/**
 * Reads a page of a list (`customers_list`, `customers_search`, `conversations_list`, `csat_list`),
 * audited one record a request (its query, how many items it answered) when it asked for more than
 * LIST_AUDITED_ABOVE; a smaller page is read unrecorded.
 */
export async function auditedPage<T extends { items: readonly unknown[] }>(
  deps: AuditDeps,
  read: { agentId: string; action: AuditAction; query: Record<string, unknown> & { limit: number } },
  run: () => Promise<T>,
): Promise<T> {
  if (read.query.limit <= LIST_AUDITED_ABOVE) return run();
  const recorded = { agentId: read.agentId, action: read.action, query: auditedQuery(read.query) };
  return auditedRead(deps, recorded, run, (page) => page.items.length);
}
