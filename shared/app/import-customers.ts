import type { AuditEntry } from '#shared/app/audited.js';
import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import {
  type ImportAnswer,
  type ImportOutcome,
  type ImportRecord,
  planImport,
} from '#shared/domain/customer-import.js';
import type { PhoneOptions } from '#shared/domain/identity.js';
import { UnavailableError } from '#shared/errors.js';
import { type AuditDeps, audited } from './audited.js';

/** A record of the request: checked (`record`), or why not, with its external id when it had a readable one. */
export type ImportEntry = { record: ImportRecord } | { invalid: string; externalId?: string | undefined };

/** What an import needs: the store's import, the phone region, and the audit log. */
export type ImportDeps = { admin: Pick<AgentAdmin, 'importCustomer'>; phone: PhoneOptions } & AuditDeps;

/** Records imported at once: a batch of 100 takes about a quarter of the time one by one would, and no more at once. */
const AT_ONCE = 4;

/** Runs `work` over the items, at most `limit` at once, answering in the items' order. */
async function inTurns<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The answer for a record that is not one. */
const invalid = (detail: string) => ({
  outcome: 'invalid' as const,
  reason: 'invalid_request' as const,
  detail,
});

/** Counts of each outcome, for the audit record. */
function countOutcomes(answers: readonly ImportAnswer[]): Partial<Record<ImportOutcome, number>> {
  const counts: Partial<Record<ImportOutcome, number>> = {};
  for (const { outcome } of answers) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/**
 * Imports customers from another help desk, each once by its external id (`POST /api/customers/import`):
 * identities claimed as the resolver claims them, never one another customer holds; no conversation,
 * no routing, no answer, no message. One answer per record, in order. One audit record for the call
 * (`customers_import`: who, how many, how many ended each way; no id, name or address); a call that
 * fails midway is recorded with its error, and running it again completes it.
 */
export async function importCustomers(
  deps: ImportDeps,
  agentId: string,
  entries: readonly ImportEntry[],
): Promise<ImportAnswer[]> {
  const importOne = deps.admin.importCustomer;
  if (!importOne) throw new UnavailableError('customer import is not available here');
  const entry: AuditEntry = { agentId, action: 'customers_import', customerIds: [], count: entries.length };
  return audited(deps, entry, async () => {
    const now = deps.clock.now().toISOString();
    const answers = await inTurns(entries, AT_ONCE, async (item): Promise<ImportAnswer> => {
      if ('invalid' in item) return { externalId: item.externalId, ...invalid(item.invalid) };
      const { externalId } = item.record;
      const plan = planImport(item.record, deps.phone);
      if ('invalid' in plan) return { externalId, ...invalid(plan.invalid) };
      return { externalId, ...(await importOne(plan, { agentId, now })) };
    });
    entry.outcomes = countOutcomes(answers);
    return answers;
  });
}
