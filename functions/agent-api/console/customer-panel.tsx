import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, ChannelOption, Conversation, Customer, CustomerView, TimelineItem } from './api.js';
import { confirmInPage } from './confirm.js';
import { ConversationLinks } from './customer-conversations.js';
import { customerLabel } from './customer-label.js';
import { channelName, clock, evidenceReason, failureText, identityName } from './format.js';
import { MergeForm } from './merge-form.js';
import { RenameForm } from './rename-form.js';
import type { Session } from './session.js';
import { SmsNumbers } from './sms-numbers.js';
import { TagsForm } from './tags-form.js';
import { CopyId, ErrorNote, useReadEach } from './ui.js';

/** What a customer is called (see `customerLabel`). */
const nameOf = (c: Customer | undefined) => customerLabel(c?.name, c?.identities[0]);

/**
 * The panel's name line: the customer's name, or the words for an id no one reads ("Web chat
 * visitor", the id in `title`); nothing for a number or an address, which the identities show.
 */
function CustomerName(props: { customer: Customer }) {
  const { text, title } = nameOf(props.customer);
  if (!props.customer.name && !title) return null;
  return (
    <strong dir="auto" title={title}>
      {text}
    </strong>
  );
}

/** The ids an agent copies (into a merge, a ticket, a message to a colleague), each shown with its Copy. */
function Ids(props: { customer: string; conversation: string }) {
  const ids: Array<[string, string]> = [
    ['Customer id', props.customer],
    ['Conversation id', props.conversation],
  ];
  return (
    <dl class="ids">
      {ids.map(([what, id]) => (
        <div key={what}>
          <dt>{what}</dt>
          <dd>
            <CopyId id={id} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Suggestions(props: {
  api: Api;
  customer: CustomerView;
  admin: boolean;
  run(work: () => Promise<unknown>): void;
}) {
  const { customer } = props;
  // The other customers (a read each; a profile holds a handful of suggestions at most).
  const others = useReadEach<Customer>(
    props.api,
    customer.suggestions.map((s) => s.otherId),
    (id) => `/api/customers/${id}`,
  );
  if (!customer.suggestions.length) return null;
  return (
    <section aria-labelledby="suggestions-title">
      <h3 id="suggestions-title">Merge suggestions</h3>
      <ul class="suggestions">
        {customer.suggestions.map((s) => (
          <li key={s.otherId} data-suggestion={s.otherId}>
            <p>
              Maybe the same person as{' '}
              <strong title={nameOf(others[s.otherId]).title}>
                {nameOf(others[s.otherId]).text ?? 'another customer'}
              </strong>{' '}
              <CopyId id={s.otherId} />
            </p>
            <ul class="evidence" aria-label="Evidence">
              {s.evidence.map((e) => (
                <li key={e.id}>
                  {e.identity.kind} {e.identity.value} ({evidenceReason(e)}, {clock(e.at)})
                </li>
              ))}
              {s.moreEvidence ? <li>and {s.moreEvidence} more</li> : null}
            </ul>
            {(props.admin ? (['accept', 'dismiss'] as const) : (['dismiss'] as const)).map((action) => (
              <button
                key={action}
                type="button"
                onClick={() =>
                  props.run(() =>
                    props.api.send(
                      'POST',
                      `/api/customers/${customer.id}/suggestions/${s.otherId}/${action}`,
                    ),
                  )
                }
              >
                {action === 'accept' ? 'Accept (merge)' : 'Dismiss'}
              </button>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Unmerges, calling again while the API answers `complete: false` (a target with a long timeline gives
 * the other customer's items back a bounded amount per call); at most 100 calls from one click.
 */
async function unmergeAll(api: Api, customerId: string, otherId: string): Promise<void> {
  for (let call = 0; call < 100; call++) {
    const answer = await api.send<{ complete?: boolean }>('POST', `/api/customers/${customerId}/unmerge`, {
      customerId: otherId,
    });
    if (answer?.complete !== false) return;
  }
}

/** What one erase call answers: counts so far, and whether the erasure is done. */
interface ErasureAnswer {
  customerIds: string[];
  timelineItems: number;
  conversations: number;
  complete: boolean;
}

/** Where an erasure from this panel is: under way, done, or stopped by a failure (then `failed`). */
interface Erasing {
  text: string;
  failed?: boolean;
  /** Calls are on their way: the button waits. */
  busy?: boolean;
}

const ERASE_CALLS = 500;

/**
 * Erases, calling `DELETE` again while it answers `complete: false` (a heavy customer is erased 1,000
 * deletes a call, each call carrying on where the last stopped), saying how far it got after each; it
 * says "Erased" only on the answer that completes it, and then the open conversation clears at once (not
 * only when the live event comes). A failed call stops it and says so: pressing Erase again carries on
 * (what was erased stays erased). At most 500 calls a click.
 */
async function eraseAll(
  api: Api,
  customerId: string,
  show: (state: Erasing) => void,
  onErased: (customerIds: string[]) => void,
): Promise<void> {
  let deleted = 0;
  show({ text: 'Erasing…', busy: true });
  for (let call = 0; call < ERASE_CALLS; call++) {
    let answer: ErasureAnswer;
    try {
      answer = await api.send<ErasureAnswer>('DELETE', `/api/customers/${customerId}`);
    } catch (e) {
      const far = deleted ? ` after ${deleted.toLocaleString('en')} timeline items` : '';
      return show({
        failed: true,
        text: `The erasure stopped${far}: ${failureText(e)} It is not complete: press Erase customer again to carry on.`,
      });
    }
    deleted = answer.timelineItems;
    if (answer.complete) {
      onErased(answer.customerIds);
      return show({
        text: `Erased: ${answer.customerIds.length} customer(s), ${answer.timelineItems.toLocaleString('en')} timeline items, ${answer.conversations} conversation(s).`,
      });
    }
    show({ text: `Erasing… ${deleted.toLocaleString('en')} timeline items deleted so far`, busy: true });
  }
  show({ failed: true, text: 'The erasure is still under way: press Erase customer again to carry on.' });
}

/** The URL of an export the API wrote aside (`202 {status: "ready", url}`), or undefined for the export itself. */
function storedExportUrl(answer: unknown): string | undefined {
  const { status, url } = (answer ?? {}) as { status?: unknown; url?: unknown };
  return status === 'ready' && typeof url === 'string' ? url : undefined;
}

/**
 * Merge, unmerge, export and erase. Once the customer is erased only the erasure's report is left, and
 * Erase while an erasure started here has not completed (a failed call carries on from it).
 */
function AdminTools(props: {
  api: Api;
  customer: CustomerView;
  erased: boolean;
  onErased(customerIds: string[]): void;
  run(work: () => Promise<unknown>): void;
}) {
  const { api, customer, erased } = props;
  const [erasing, setErasing] = useState<Erasing>();
  const exportJson = async () => {
    let data = await api.get<unknown>(`/api/customers/${customer.id}/export`);
    const stored = storedExportUrl(data);
    // A large export is written aside (202, its URL): on AWS a presigned S3 URL, opened as it is;
    // locally the agent API's own route, read with the token like any call.
    if (stored && !stored.startsWith('/')) return void window.open(stored, '_blank', 'noopener');
    if (stored) data = await api.get<unknown>(stored);
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `customer-${customer.id}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <section aria-labelledby="admin-title">
      <h3 id="admin-title">Admin</h3>
      {erased ? null : (
        <>
          <MergeForm api={api} customer={customer} run={props.run} />
          {customer.mergedFrom.map((id) => (
            <button key={id} type="button" onClick={() => props.run(() => unmergeAll(api, customer.id, id))}>
              Unmerge {id}
            </button>
          ))}
          <button type="button" onClick={() => props.run(exportJson)}>
            Export (JSON)
          </button>
        </>
      )}
      {erased && !(erasing?.busy || erasing?.failed) ? null : (
        <button
          type="button"
          class="danger"
          disabled={erasing?.busy}
          onClick={async () => {
            const question = 'Erase this customer and everything held about them? This cannot be undone.';
            if (await confirmInPage(question, 'Erase customer'))
              void eraseAll(api, customer.id, setErasing, props.onErased);
          }}
        >
          Erase customer
        </button>
      )}
      {erasing?.failed ? <ErrorNote message={erasing.text} /> : null}
      {erasing && !erasing.failed ? <p role="status">{erasing.text}</p> : null}
    </section>
  );
}

/**
 * The channels the customer reached us on, and an SMS opt-out when the reply channels
 * (`GET /api/customers/{id}/channels`, as the reply box read them) say so.
 */
function ChannelsLine(props: { customer: CustomerView; options: readonly ChannelOption[] | undefined }) {
  const optedOut = props.options?.some((option) => option.reason === 'sms_opted_out');
  return (
    <>
      <p>Channels: {props.customer.channels.map(channelName).join(', ') || 'none'}</p>
      {optedOut ? <p class="opted-out">Opted out of SMS (STOP): no texts until they text START.</p> : null}
      <SmsNumbers options={props.options} />
    </>
  );
}

/**
 * The panel shown over the conversation (below 1100 px) closes as the focus goes to a control of the
 * page behind it (Tab past its end, round from the page's start): else that control would have the focus
 * hidden under it (WCAG 2.4.11). A question the panel asks (Erase's dialog) leaves it open. Escape in
 * it closes it too.
 */
function usePanelLeaving(shown: boolean, close: () => void) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!shown) return;
    const moved = (event: FocusEvent) => {
      const to = event.target;
      if (!(to instanceof Element) || ref.current?.contains(to) || to.closest('dialog')) return;
      // A click on the Customer button focuses it first (not focus-visible): its click closes the panel.
      if (to.matches(':focus-visible')) close();
    };
    document.addEventListener('focusin', moved);
    return () => document.removeEventListener('focusin', moved);
  }, [shown]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && shown) close();
  };
  return { ref, onKeyDown };
}

/** The customer: identities, tags, other conversations, merge suggestions; merge, export and erase for admins. */
export function CustomerPanel(props: {
  api: Api;
  session: Session;
  customer: CustomerView;
  items: readonly TimelineItem[];
  /** The conversation shown: the list marks it. */
  current: string;
  /**
   * Whether it is open, as the view has it: after a Reopen (or Resolve) that answer shows in the list at
   * once, where the profile says so only once read again.
   */
  currentOpen: boolean;
  /** The shown conversation as the view read it (its line in the list is not read again). */
  currentConversation?: Conversation | undefined;
  /** The customer was erased: nothing about them is shown any more. */
  erased: boolean;
  channels?: readonly ChannelOption[] | undefined;
  onErased(customerIds: string[]): void; // every customer the erasure completed here erased
  /** Opens one of the customer's conversations (read by its id: a resolved one too). */
  onOpen(conversation: Conversation): void;
  shown: boolean;
  onClose(): void;
  onChanged(): void;
}) {
  const { api, customer } = props;
  const [error, setError] = useState('');
  const leaving = usePanelLeaving(props.shown, props.onClose);
  const run = (work: () => Promise<unknown>) => {
    setError('');
    work().then(props.onChanged, (e: Error) => setError(e.message));
  };
  return (
    <aside
      {...leaving}
      id="customer-panel"
      class={`customer ${props.shown ? 'shown' : ''}`}
      aria-labelledby="customer-title"
    >
      <h2 id="customer-title" tabIndex={-1}>
        Customer
      </h2>
      <button type="button" class="customer-close" onClick={props.onClose}>
        Close the customer panel
      </button>
      <ErrorNote message={error} />
      {props.erased ? (
        <p>This customer was erased.</p>
      ) : (
        <>
          <div class="customer-id">
            <CustomerName customer={customer} />
            <Ids customer={customer.id} conversation={props.current} />
          </div>
          <RenameForm api={api} customer={customer} onRenamed={props.onChanged} />
          <dl class="identities">
            {customer.identities.map((i) => (
              <div key={`${i.kind}:${i.value}`}>
                <dt>{identityName(i.kind)}</dt>
                <dd title={i.display ? i.value : undefined}>{i.display ?? i.value}</dd>
              </div>
            ))}
          </dl>
          <ChannelsLine customer={customer} options={props.channels} />
          <TagsForm
            tags={customer.tags}
            onSave={(change) =>
              api.send('PATCH', `/api/customers/${customer.id}/tags`, change).then(props.onChanged)
            }
          />
          <ConversationLinks {...props} onError={setError} />
          <Suggestions api={api} customer={customer} admin={props.session.admin} run={run} />
        </>
      )}
      {props.session.admin ? (
        <AdminTools api={api} customer={customer} erased={props.erased} onErased={props.onErased} run={run} />
      ) : null}
    </aside>
  );
}
