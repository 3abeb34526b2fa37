import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentRow } from './agents.js';
import { type Api, ApiError, type Conversation } from './api.js';
import { confirmInPage } from './confirm.js';
import { channelName, failureText } from './format.js';
import { useMedia } from './header.js';
import { MissedCallBadge } from './inbox-row.js';
import type { LiveStatus } from './live.js';
import { keyHint } from './shortcuts.js';
import { SnoozeControl, snooze, statusText, wake } from './snooze.js';
import { TransferForm, TransferMenu, type TransferTarget } from './transfer.js';
import { ErrorNote, focusLost } from './ui.js';

/** The conversation's header: who, its status and actions, who else is here, the last action's error. */
export function ConversationHead(props: {
  conversation: Conversation;
  /** The customer as `customerLabel` names them (the id when it has no text). */
  name: { text: string | undefined; title?: string };
  others: string[];
  /** Other agents typing here now, each writing a note (agents only) or a reply (to the customer). */
  typing: Array<{ agent: string; note: boolean }>;
  error: string;
  /** The customer was erased: no status and no actions, only the customer panel's button. */
  erased: boolean;
  agents: AgentRow[];
  queues: string[];
  /** The agent signed in here: no "Assign to me" on a conversation they have already. */
  me: string;
  customerShown: boolean;
  onCustomer(): void;
  onBack(): void;
  onAssign(body: TransferTarget): Promise<boolean>;
  onTransfer(body: TransferTarget): Promise<boolean>;
  onResolve(): void;
  onSnooze(until: string): void;
  onWake(): void;
  done: Done;
}) {
  const { conversation: c } = props;
  const told = useDoneTold(props.done, c);
  return (
    <header class="conversation-head">
      <div class="title-row">
        <button type="button" class="back" onClick={props.onBack}>
          Back to inbox
        </button>
        <h2 id="conversation-title" tabIndex={-1} title={props.name.title}>
          {props.name.text ?? props.conversation.customerId}
        </h2>
      </div>
      {props.erased ? null : (
        <p class="meta">
          <MissedCallBadge at={c.missedCallAt} />
          {metaText(c)}
        </p>
      )}
      <div class="actions">
        {props.erased ? null : <HeadActions {...props} />}
        <button
          type="button"
          class="customer-toggle"
          aria-expanded={props.customerShown}
          aria-controls="customer-panel"
          onClick={props.onCustomer}
        >
          Customer
        </button>
      </div>
      <p class="awareness" aria-live="polite">
        {[
          props.others.length ? `Also viewing: ${props.others.join(', ')}` : '',
          ...props.typing.map((t) => `${t.agent} ${t.note ? 'is writing a note' : 'is typing a reply'}…`),
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
      <p class="visually-hidden" aria-live="polite">
        {told}
      </p>
      <ErrorNote message={props.error} />
    </header>
  );
}

/**
 * Where the console is one column (header.tsx's COMPACT is wider): a laptop at 200 % zoom, a phone. The
 * Transfer form goes behind its button there.
 */
const ONE_COLUMN = '(max-width: 43.75em)';

/** The header's line under the name: status, who has it, its queue and channels. */
const metaText = (c: Conversation): string =>
  `${statusText(c.status, c.snoozedUntil)} · ${c.assignee ? `assigned to ${c.assignee}` : 'unassigned'}` +
  `${c.queue ? ` · queue ${c.queue}` : ''} · ${c.channels.map(channelName).join(', ')}`;

/** The header's action that last went through, counted so the same one twice is told twice. */
export interface Done {
  n: number;
  after: 'assign' | 'transfer' | 'snooze' | 'wake' | 'resolve';
}

/** Where the focus goes when an action left it nowhere (its control went, or was disabled). */
const LANDING: Record<Done['after'], string> = {
  assign: '#conversation-title',
  // Its menu's button in one column (the transfer closed it), else the form's first list.
  transfer: '.conversation-head .transfer-menu summary, .conversation-head form.transfer select',
  snooze: '.conversation-head .wake',
  wake: '.conversation-head details.snooze summary',
  resolve: '#conversation-title',
};

/**
 * After the agent's own action went through: the header's line as it now reads, for a screen reader
 * (the line itself is not live: it changes as the agent moves between conversations), and the focus
 * put back in the header when the action's control took it away (Snooze's menu closes, Wake becomes
 * Snooze, Transfer is disabled once its lists are cleared), where it fell to the page's start before.
 */
function useDoneTold(done: Done, c: Conversation): string {
  const [told, setTold] = useState('');
  useEffect(() => {
    if (!done.n) return;
    setTold(metaText(c));
    if (focusLost())
      (
        document.querySelector<HTMLElement>(LANDING[done.after]) ??
        document.getElementById('conversation-title')
      )?.focus();
  }, [done.n]);
  return told;
}

/** Assign, transfer, snooze and resolve: what the header offers on a conversation that is still there. */
function HeadActions(props: Parameters<typeof ConversationHead>[0]) {
  const { conversation: c } = props;
  const Transfer = useMedia(ONE_COLUMN) ? TransferMenu : TransferForm;
  return (
    <>
      {c.assignee === props.me ? null : (
        <button type="button" onClick={() => props.onAssign({ agentId: 'me' })}>
          Assign to me
        </button>
      )}
      <Transfer
        agents={props.agents}
        queues={props.queues}
        assignee={c.assignee}
        onTransfer={props.onTransfer}
      />
      <SnoozeControl
        status={c.status}
        snoozedUntil={c.snoozedUntil}
        onSnooze={props.onSnooze}
        onWake={props.onWake}
      />
      <button type="button" onClick={props.onResolve} aria-keyshortcuts={keyHint('e')}>
        {c.status === 'open' ? 'Resolve' : 'Reopen'}
      </button>
    </>
  );
}

/** What an action on an erased customer's conversation says (`e` pressed, or an action answered `410`). */
export const ERASED_NOTE =
  "This conversation's customer was erased: there is nothing left to resolve, assign or snooze.";

/**
 * Runs an action of the header, keeping its error until the next one (or the live socket is back). On
 * an erased customer's conversation nothing is asked and the note says why; an action answered `410`
 * (erased elsewhere, not heard of yet) says the same and has the view cleared (`onGone`), not the
 * API's bare "Gone".
 */
function useActions(status: LiveStatus, erased: boolean, onGone: () => void) {
  const [error, setError] = useState('');
  const [done, setDone] = useState<Done>({ n: 0, after: 'assign' });
  useEffect(() => {
    if (status === 'live') setError('');
  }, [status]);
  const act = (work: () => Promise<void>, after: Done['after']) => {
    setError('');
    if (erased) {
      setError(ERASED_NOTE);
      return Promise.resolve(false);
    }
    return work().then(
      () => {
        setDone((d) => ({ n: d.n + 1, after }));
        return true;
      },
      (e: unknown) => {
        const gone = e instanceof ApiError && e.status === 410;
        if (gone) onGone();
        setError(gone ? ERASED_NOTE : failureText(e));
        return false;
      },
    );
  };
  return { error, done, act };
}

/** Runs `work` each time `asked` changes after the first render (a key pressed elsewhere). */
function useWhenAsked(asked: number | undefined, work: () => void) {
  const seen = useRef(asked);
  useEffect(() => {
    if (asked === seen.current) return;
    seen.current = asked;
    work();
  }, [asked]);
}

/**
 * The header's actions on the conversation (assign, resolve, snooze, wake), each showing its failure in
 * the header; `e` pressed elsewhere resolves through the same path, once the agent confirmed (Cancel
 * focused: the keys of a reply typed before its box had the focus resolve nothing).
 */
export function useHeadActions(
  api: Api,
  id: string,
  props: {
    status: LiveStatus;
    /** Who the view shows holding the conversation: an assignment holds only while they still do. */
    assignee: string | undefined;
    onConversation(c: Conversation): void;
    onResolve(): Promise<void>;
    resolveAsked: number | undefined;
    /** What `e` asks before it resolves (the conversation is open), so a stray key resolves nothing. */
    keyQuestion: string | undefined;
    erased: boolean;
    onGone(): void;
  },
) {
  const { error, done, act } = useActions(props.status, props.erased, props.onGone);
  const keyResolve = async () => {
    const question = !props.erased && props.keyQuestion;
    if (question && !(await confirmInPage(question, 'Resolve'))) return;
    await act(props.onResolve, 'resolve');
  };
  useWhenAsked(props.resolveAsked, () => void keyResolve());
  const update = (work: () => Promise<Conversation>, after: Done['after']) =>
    act(async () => props.onConversation(await work()), after);
  const assign = (body: TransferTarget, after: Done['after']) =>
    update(() => assignAsSeen(api, id, { ...body, expectedAssignee: props.assignee ?? '' }, props), after);
  return {
    error,
    done,
    onAssign: (body: TransferTarget) => assign(body, 'assign'),
    onTransfer: (body: TransferTarget) => assign(body, 'transfer'),
    onResolve: () => void act(props.onResolve, 'resolve'),
    onSnooze: (until: string) => void update(() => snooze(api, id, until), 'snooze'),
    onWake: () => void update(() => wake(api, id), 'wake'),
  };
}

/**
 * Assigns as the view shows the conversation (`expectedAssignee`): when another agent took it
 * meanwhile the API refuses (409 `assignee_changed`, nothing changed), and the view is brought up to
 * date, so the header names who has it beside the refusal; nobody's conversation is taken silently.
 */
async function assignAsSeen(
  api: Api,
  id: string,
  body: TransferTarget & { expectedAssignee: string },
  view: { onConversation(c: Conversation): void },
): Promise<Conversation> {
  try {
    return await api.send<Conversation>('POST', `/api/conversations/${id}/assign`, body);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'assignee_changed')
      view.onConversation(await api.get<Conversation>(`/api/conversations/${id}`));
    throw e;
  }
}
