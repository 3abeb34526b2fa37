import type { AuditAction, AuditLog, AuditTarget } from '#shared/domain/audit.js';
import type { Clock } from '#shared/domain/ports.js';
import { ThreadlineError } from '#shared/errors.js';

/** What an audited call needs: where records go and the time. */
export type AuditDeps = { audit: Pick<AuditLog, 'recordAudit'>; clock: Clock };

/** Who made an audited call, what it was, and what it names (customers, a webhook). */
export type AuditEntry = { agentId: string; action: AuditAction; customerIds: string[] } & AuditTarget;

/**
 * Runs an admin call and writes its audit record when it ends, naming the customers asked for (or,
 * after a call that succeeded, those `customerIdsOf` reads from its result): `ok` (or what `outcome` says of the
 * result), or the code of the error it answered (`internal` for an unexpected one). A record that cannot be written fails a call that
 * succeeded (the caller retries, and the retry is recorded); after a failed call the call's own error
 * is what the caller sees. The entry is read when the record is written, so a call may add to it what
 * it learns as it runs (the webhook's origin, read from the subscription it deletes).
 */
export async function audited<T>(
  deps: AuditDeps,
  entry: AuditEntry,
  run: () => Promise<T>,
  outcome: (result: T) => string = () => 'ok',
  customerIdsOf: (result: T) => string[] = () => entry.customerIds,
): Promise<T> {
  const record = (outcome: string, customerIds = entry.customerIds) =>
    deps.audit.recordAudit({ ...entry, customerIds, at: deps.clock.now().toISOString(), outcome });
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await record(error instanceof ThreadlineError ? error.code : 'internal').catch(() => undefined);
    throw error;
  }
  await record(outcome(result), customerIdsOf(result));
  return result;
}
