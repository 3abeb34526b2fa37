import { describe, expect, it } from 'vitest';
import {
  ACTION_WORDS,
  AUDIT_ACTIONS,
  type AuditRecord,
  actionWords,
  auditPath,
  auditShows,
  NO_FILTER,
  NO_PAGES,
  outcomeWords,
  recordWords,
  withPage,
} from '../../../../functions/agent-api/console/audit-text.js';
import { AuditActionSchema } from '../../../../shared/domain/audit.js';

const record = (id: string, over: Partial<AuditRecord> = {}): AuditRecord => ({
  id,
  at: '2026-12-06T05:00:00.000Z',
  agentId: 'ana',
  action: 'export',
  customerIds: ['c1'],
  outcome: 'ok',
  ...over,
});

const query = (path: string) => Object.fromEntries(new URL(path, 'http://x').searchParams);

describe('audit actions in words', () => {
  it('words every action the API records, each differently, and offers them all in the filter', () => {
    expect([...AUDIT_ACTIONS].sort()).toEqual([...AuditActionSchema.options].sort());
    const words = Object.values(ACTION_WORDS);
    expect(new Set(words).size).toBe(words.length);
    expect(actionWords('webhook_rotate_secret')).toBe("Rotated a webhook's secret");
  });

  it("says an agent's first registration is one, and a later change of their queues what it is", () => {
    const first = { before: {}, after: { queues: ['general'] } };
    const later = { before: { queues: ['general'] }, after: { queues: ['billing'] } };
    expect(recordWords(record('a', { action: 'agent_update', change: first }))).toBe(
      'Registered (a first sign-in)',
    );
    expect(recordWords(record('b', { action: 'agent_update', change: later }))).toBe(
      'Changed own queues or capacity',
    );
    expect(recordWords(record('c', { action: 'agent_update' }))).toBe('Changed own queues or capacity');
    expect(recordWords(record('d', { action: 'export', change: first }))).toBe('Exported a customer');
  });

  it('shows an action a newer API added by its code, and nothing inherited from Object', () => {
    expect(actionWords('invoice_void')).toBe('invoice_void');
    expect(actionWords('toString')).toBe('toString');
  });

  it('marks refused and failed calls, not done or partly done ones', () => {
    expect(outcomeWords('ok')).toEqual({ text: 'Done', kind: 'ok' });
    expect(outcomeWords('stored').kind).toBe('ok');
    expect(outcomeWords('in_progress').kind).toBe('partial');
    expect(outcomeWords('forbidden')).toEqual({ text: 'Refused: not an admin', kind: 'refused' });
    expect(outcomeWords('not_found')).toEqual({ text: 'Refused: not found', kind: 'refused' });
    expect(outcomeWords('internal')).toEqual({ text: 'Failed: server error', kind: 'failed' });
  });
});

describe('audit query', () => {
  it('asks for the whole log with only a limit, and carries the cursor of More', () => {
    expect(auditPath(NO_FILTER, undefined)).toEqual({ path: '/api/audit?limit=50' });
    const more = auditPath(NO_FILTER, '2026-12-06T05:00:00.000Z#a1', 20);
    expect('path' in more && query(more.path)).toEqual({
      limit: '20',
      cursor: '2026-12-06T05:00:00.000Z#a1',
    });
  });

  it('sends each filter given, ids trimmed, and none left empty', () => {
    const asked = auditPath(
      { ...NO_FILTER, action: 'merge', agentId: ' me ', customerId: 'c 1&x' },
      undefined,
    );
    expect('path' in asked && query(asked.path)).toEqual({
      limit: '50',
      action: 'merge',
      agentId: 'me',
      customerId: 'c 1&x',
    });
  });

  it("turns days into the API's window: from the first day's start to the last day's end, in the browser's zone", () => {
    const asked = auditPath({ ...NO_FILTER, since: '2026-12-05', until: '2026-12-05' }, undefined);
    const q = 'path' in asked ? query(asked.path) : {};
    const since = new Date(q.since ?? '');
    const until = new Date(q.until ?? '');
    expect([since.getFullYear(), since.getMonth(), since.getDate(), since.getHours()]).toEqual([
      2026, 11, 5, 0,
    ]);
    expect([until.getFullYear(), until.getMonth(), until.getDate(), until.getHours()]).toEqual([
      2026, 11, 6, 0,
    ]);
    expect(q.since?.endsWith('Z')).toBe(true);
  });

  it('refuses a window whose first day is after its last, or a day that is not one, reading nothing', () => {
    expect(auditPath({ ...NO_FILTER, since: '2026-12-06', until: '2026-12-05' }, undefined)).toEqual({
      error: 'The first day is after the last day.',
    });
    expect(auditPath({ ...NO_FILTER, since: '6/12/2026' }, undefined)).toEqual({
      error: 'A day is not a valid date.',
    });
  });
});

describe('audit pages', () => {
  it('loads, then lists, and offers More on a short or empty filtered page with a cursor', () => {
    expect(auditShows(NO_PAGES, true, '')).toBe('loading');
    const empty = withPage(NO_PAGES, { items: [], cursor: '2026-12-06T04:00:00.000Z#z' });
    expect(empty).toEqual({ records: [], cursor: '2026-12-06T04:00:00.000Z#z' });
    expect(auditShows(empty, false, '')).toBe('rows');
  });

  it('says no record only once the log is read to its end', () => {
    const end = withPage(NO_PAGES, { items: [], cursor: null });
    expect(auditShows(end, false, '')).toBe('empty');
    const after = withPage(withPage(NO_PAGES, { items: [record('a')], cursor: 'x' }), {
      items: [],
      cursor: null,
    });
    expect(auditShows(after, false, '')).toBe('rows');
  });

  it('appends each page in order, a record listed twice kept once', () => {
    const one = withPage(NO_PAGES, { items: [record('a'), record('b')], cursor: 'b' });
    const two = withPage(one, { items: [record('b'), record('c')], cursor: null });
    expect(two.records.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(two.cursor).toBeNull();
  });

  it('says the first page failed, where a later failure keeps the rows', () => {
    expect(auditShows(NO_PAGES, false, 'The audit log could not be read')).toBe('failed');
    const one = withPage(NO_PAGES, { items: [record('a')], cursor: 'a' });
    expect(auditShows(one, false, 'The audit log could not be read')).toBe('rows');
  });
});
