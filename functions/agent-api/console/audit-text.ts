import type { AuditAction, AuditRecord } from '#shared/domain/audit.js';

/** A record of the audit log as `GET /api/audit` answers it. */
export type { AuditAction, AuditRecord };

/**
 * Each audited action in words, in the order the filter offers them. Typed on the API's own list, so an
 * action added there fails the console's typecheck until it is worded here.
 */
export const ACTION_WORDS: Record<AuditAction, string> = {
  export: 'Exported a customer',
  export_download: 'Downloaded an export',
  erase: 'Erased a customer',
  merge: 'Merged customers',
  unmerge: 'Unmerged customers',
  rename: 'Renamed a customer',
  webhook_create: 'Created a webhook',
  webhook_update: 'Edited a webhook',
  webhook_delete: 'Deleted a webhook',
  webhook_rotate_secret: "Rotated a webhook's secret",
  webhook_disable: 'Disabled a webhook',
  webhook_enable: 'Enabled a webhook',
  webhook_replay: 'Replayed a delivery',
  webhook_replay_failed: 'Replayed failed deliveries',
  webhook_replay_delivered: 'Replayed delivered deliveries',
  agent_remove: 'Removed an agent',
  agent_restore: 'Restored an agent',
  agent_update: 'Changed own queues or capacity',
  events_replay: 'Replayed the live events',
  audit_read: 'Read the audit log',
  customers_list: 'Listed customers (a large page)',
  customers_search: 'Searched customers (a large page)',
  conversations_list: 'Listed conversations (a large page)',
  csat_list: 'Listed survey answers (a large page)',
  customers_import: 'Imported customers',
};

/** The actions the filter offers, in their words' order. */
export const AUDIT_ACTIONS = Object.keys(ACTION_WORDS) as AuditAction[];

/** An action in words; one this console does not know yet (a newer API) as its code. */
export function actionWords(action: string): string {
  return Object.hasOwn(ACTION_WORDS, action) ? ACTION_WORDS[action as AuditAction] : action;
}

/**
 * A record's action in words: an agent's first registration (`agent_update` with nothing before: their
 * first sign-in, or their first after a restore) says so, not that they changed their queues.
 */
export function recordWords(r: Pick<AuditRecord, 'action' | 'change'>): string {
  if (r.action === 'agent_update' && r.change && Object.keys(r.change.before).length === 0) {
    return 'Registered (a first sign-in)';
  }
  return actionWords(r.action);
}

/** How a call ended, in words, and whether it was refused or failed (shown marked). */
export function outcomeWords(outcome: string): {
  text: string;
  kind: 'ok' | 'partial' | 'refused' | 'failed';
} {
  if (outcome === 'ok') return { text: 'Done', kind: 'ok' };
  if (outcome === 'stored') return { text: 'Done: written aside to download', kind: 'ok' };
  if (outcome === 'in_progress') return { text: 'Done in part (to be called again)', kind: 'partial' };
  if (outcome === 'internal') return { text: 'Failed: server error', kind: 'failed' };
  if (outcome === 'forbidden') return { text: 'Refused: not an admin', kind: 'refused' };
  return { text: `Refused: ${outcome.replaceAll('_', ' ')}`, kind: 'refused' };
}

/** The filters as the form holds them: the action's code, ids as typed, days as the date inputs give them. */
export interface AuditForm {
  action: string;
  agentId: string;
  customerId: string;
  /** `yyyy-mm-dd`: from the start of that day (the browser's time zone). */
  since: string;
  /** `yyyy-mm-dd`: to the end of that day (the browser's time zone). */
  until: string;
}

export const NO_FILTER: AuditForm = { action: '', agentId: '', customerId: '', since: '', until: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The start of a day of the browser's time zone, as the API takes it (ISO 8601 UTC); undefined for a bad day. */
function dayStart(day: string, next = false): string | undefined {
  if (!DAY.test(day)) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const at = new Date(y, m - 1, d + (next ? 1 : 0));
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/**
 * The query of a page of the log: the filters given (trimmed; `until` a whole day, so the API's bound is
 * the next day's start), the cursor of the page before, the page size. An error text instead when the
 * days cannot be a window (the API would answer `400`).
 */
export function auditPath(
  form: AuditForm,
  cursor: string | undefined,
  limit = 50,
): { path: string } | { error: string } {
  const since = form.since ? dayStart(form.since) : undefined;
  const until = form.until ? dayStart(form.until, true) : undefined;
  if ((form.since && !since) || (form.until && !until)) return { error: 'A day is not a valid date.' };
  if (since && until && since >= until) return { error: 'The first day is after the last day.' };
  const params = new URLSearchParams({ limit: String(limit) });
  const given: Array<[string, string | undefined]> = [
    ['action', form.action],
    ['agentId', form.agentId.trim()],
    ['customerId', form.customerId.trim()],
    ['since', since],
    ['until', until],
    ['cursor', cursor],
  ];
  for (const [key, value] of given) if (value) params.set(key, value);
  return { path: `/api/audit?${params}` };
}

/**
 * The log as read so far for one filter: the records of the pages read, and where the next page starts
 * (`undefined` before the first page, `null` once the log is read to its end).
 */
export interface AuditPages {
  records: AuditRecord[];
  cursor: string | null | undefined;
}

export const NO_PAGES: AuditPages = { records: [], cursor: undefined };

/** The pages with one more read after them: its records added (none twice), its cursor kept. */
export function withPage(
  pages: AuditPages,
  page: { items: AuditRecord[]; cursor: string | null },
): AuditPages {
  const seen = new Set(pages.records.map((r) => r.id));
  return { records: [...pages.records, ...page.items.filter((r) => !seen.has(r.id))], cursor: page.cursor };
}

/**
 * What the list shows: its first page being read or failed, no record at all (the log read to its end),
 * or rows (perhaps none yet) with More while a cursor is left: a filtered page may be short, even empty,
 * with records further on.
 */
export function auditShows(
  pages: AuditPages,
  reading: boolean,
  error: string,
): 'loading' | 'failed' | 'empty' | 'rows' {
  if (pages.cursor === undefined) return error ? 'failed' : 'loading';
  if (!pages.records.length && pages.cursor === null && !reading) return 'empty';
  return 'rows';
}
