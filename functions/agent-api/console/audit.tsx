import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Page } from './api.js';
import {
  AUDIT_ACTIONS,
  type AuditForm,
  type AuditPages,
  type AuditRecord,
  actionWords,
  auditPath,
  auditShows,
  NO_FILTER,
  NO_PAGES,
  outcomeWords,
  recordWords,
  withPage,
} from './audit-text.js';
import { clock, failureText } from './format.js';
import { latestConversation } from './latest-conversation.js';
import { useModal } from './modal.js';
import { ErrorNote } from './ui.js';

/**
 * Admins only (loaded when an admin opens it): the audit log, newest first, a page at a time, narrowed
 * by action, agent, customer and days. A modal dialog, as the Webhooks view is: Escape or Close closes
 * it, and the focus goes back to the Audit button.
 */
export function Audit(props: { api: Api; onClose(): void }) {
  const dialog = useModal();
  const [form, setForm] = useState(NO_FILTER);
  const log = useAuditPages(props.api, form);
  const shows = auditShows(log.pages, log.reading, log.error);
  const opening = useOpenCustomer(props.api, () => dialog.current?.close());
  return (
    <dialog ref={dialog} class="audit" aria-labelledby="audit-title" onClose={props.onClose}>
      <header class="help-head">
        <h2 id="audit-title">Audit log</h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <p>
        Every export, erasure, merge, rename, webhook and agent change, refused attempts too; newest first.
      </p>
      <AuditFilters form={form} onApply={setForm} />
      <ErrorNote message={opening.error} />
      <section aria-labelledby="audit-records-title" aria-busy={log.reading}>
        <h3 id="audit-records-title">Records</h3>
        <ErrorNote message={log.error} />
        {shows === 'loading' ? <p role="status">Loading the audit log…</p> : null}
        {shows === 'empty' && !log.error ? <p role="status">No record matches.</p> : null}
        {log.pages.records.length ? <AuditTable records={log.pages.records} onOpen={opening.open} /> : null}
        {shows === 'rows' || shows === 'failed' ? <AuditMore log={log} /> : null}
      </section>
    </dialog>
  );
}

/** Below the rows: More while the log has a cursor (a filtered page may be short or empty), or its end. */
function AuditMore(props: { log: ReturnType<typeof useAuditPages> }) {
  const { pages, reading, more } = props.log;
  if (pages.cursor === null)
    return (
      <p class="muted">{`${pages.records.length} record${pages.records.length === 1 ? '' : 's'}: the end of the log.`}</p>
    );
  return (
    <p>
      {pages.records.length ? null : <span class="muted">None on the pages read so far. </span>}
      <button type="button" onClick={more} disabled={reading}>
        {reading ? 'Reading…' : pages.cursor === undefined ? 'Try again' : 'More'}
      </button>
    </p>
  );
}

/** The filters, applied together by Show (an Enter in a field too); Clear shows the whole log again. */
function AuditFilters(props: { form: AuditForm; onApply(form: AuditForm): void }) {
  const read = (f: HTMLFormElement): AuditForm => {
    const data = new FormData(f);
    const text = (name: keyof AuditForm) => String(data.get(name) ?? '');
    return {
      action: text('action'),
      agentId: text('agentId'),
      customerId: text('customerId'),
      since: text('since'),
      until: text('until'),
    };
  };
  return (
    <form
      class="audit-filters"
      aria-label="Audit filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(read(e.currentTarget));
      }}
      onReset={() => props.onApply(NO_FILTER)}
    >
      <Field id="audit-action" label="Action">
        <select id="audit-action" name="action">
          <option value="">Any action</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {actionWords(a)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="audit-agent" label="Agent">
        <input id="audit-agent" name="agentId" maxLength={128} placeholder="agent id, or me" />
      </Field>
      <Field id="audit-customer" label="Customer id">
        <input id="audit-customer" name="customerId" maxLength={128} />
      </Field>
      <Field id="audit-since" label="From">
        <input id="audit-since" name="since" type="date" />
      </Field>
      <Field id="audit-until" label="To">
        <input id="audit-until" name="until" type="date" />
      </Field>
      <span class="audit-filter-buttons">
        <button type="submit">Show</button>
        <button type="reset">Clear</button>
      </span>
    </form>
  );
}

/** A filter's label above its control, tied to it by id (a wrapping label would name a select by its options too). */
function Field(props: { id: string; label: string; children: ComponentChildren }) {
  return (
    <span class="audit-field">
      <label for={props.id}>{props.label}</label>
      {props.children}
    </span>
  );
}

/** The records, one row each: when, who, the action in words (and what it was about), customers, outcome. */
function AuditTable(props: { records: AuditRecord[]; onOpen(customerId: string): void }) {
  return (
    <table class="audit-table">
      <caption class="visually-hidden">Audit records, newest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Customers</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {props.records.map((r) => {
          const outcome = outcomeWords(r.outcome);
          return (
            <tr key={r.id} class={`audit-${outcome.kind}`}>
              <td data-label="When">
                <time dateTime={r.at}>{clock(r.at)}</time>
              </td>
              <td data-label="Who">{r.agentId}</td>
              <td data-label="Action">
                {recordWords(r)}
                {about(r) ? <span class="muted"> {about(r)}</span> : null}
              </td>
              <td data-label="Customers">
                {r.customerIds.length ? (
                  <ul class="audit-customers">
                    {r.customerIds.map((id) => (
                      <li key={id}>
                        <button
                          type="button"
                          class="link"
                          aria-label={`Open the customer ${id}`}
                          onClick={() => props.onOpen(id)}
                        >
                          {id}
                        </button>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span class="muted">none</span>
                )}
              </td>
              <td data-label="Outcome" class="audit-outcome">
                {outcome.kind === 'refused' || outcome.kind === 'failed' ? (
                  <strong>{outcome.text}</strong>
                ) : (
                  outcome.text
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** What a record names besides its customers: the agent removed, the webhook's origin, the delivery. */
function about(r: AuditRecord): string {
  if (r.subjectAgentId) return `(${r.subjectAgentId})`;
  if (r.webhookOrigin) return `(${r.webhookOrigin})`;
  if (r.deliveryId) return `(delivery ${r.deliveryId})`;
  if (r.webhookId) return `(${r.webhookId})`;
  return '';
}

/**
 * The log's pages for the filters shown: the first read when they change (an older read's answer
 * dropped), the next on More, from the cursor of the last. A bad window is said, nothing read.
 */
function useAuditPages(api: Api, form: AuditForm) {
  const [pages, setPages] = useState<AuditPages>(NO_PAGES);
  const [reading, setReading] = useState(false);
  const [error, setError] = useState('');
  const asked = useRef(0);
  const read = (from: AuditPages) => {
    const query = auditPath(form, from.cursor ?? undefined);
    const n = ++asked.current;
    setError('');
    if ('error' in query) {
      setPages({ records: [], cursor: null });
      return setError(query.error);
    }
    setReading(true);
    api.get<Page<AuditRecord>>(query.path).then(
      (page) => {
        if (n !== asked.current) return;
        setPages(withPage(from, page));
        setReading(false);
      },
      (e: unknown) => {
        if (n !== asked.current) return;
        setError(`The audit log could not be read: ${failureText(e)}`);
        setReading(false);
      },
    );
  };
  useEffect(() => {
    setPages(NO_PAGES);
    read(NO_PAGES);
  }, [api, form]);
  return { pages, reading, error, more: () => read(pages) };
}

/**
 * Opens a customer the log names, as the customer search does: their open conversation, else their
 * latest, put in the address (whose change the console follows), the dialog closed. Says why when it cannot.
 */
function useOpenCustomer(api: Api, close: () => void) {
  const [error, setError] = useState('');
  const open = (customerId: string) => {
    setError('');
    api
      .get<{ openConversation: { id: string } | null }>(`/api/customers/${encodeURIComponent(customerId)}`)
      .then((c) => c.openConversation ?? latestConversation(api, customerId))
      .then(
        (c) => {
          if (!c) return setError(`The customer ${customerId} has no conversation to open.`);
          // A new history entry, as opening it from the inbox makes; the console follows the address.
          location.hash = `#/conversations/${c.id}`;
          close();
        },
        (e: unknown) => setError(`The customer ${customerId} could not be opened: ${failureText(e)}`),
      );
  };
  return { open, error };
}
