import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { customerActs } from './acts.js';
import type { AgentRow } from './agents.js';
import { useOpenedSaid, useResolveSaid } from './announce.js';
import {
  type Api,
  type Conversation,
  type CustomerView,
  conversationFrom,
  type TimelineItem,
} from './api.js';
import type { Presence, Subscribe } from './app.js';
import { useArrivals } from './arrivals.js';
import { type Earlier, useConversationData } from './conversation-data.js';
import { ConversationHead, useHeadActions } from './conversation-head.js';
import { customerLabel } from './customer-label.js';
import { CustomerPanel } from './customer-panel.js';
import { earlierSaid, useEarlierFocus } from './earlier.js';
import { answerPlaced } from './event-text.js';
import type { LiveStatus } from './live.js';
import { MediaApi } from './media-files.js';
import { forgetCustomers } from './place.js';
import { resolverOf, useReopenCheck } from './reopen-check.js';
import { ReplyBox } from './reply-box.js';
import { withoutRepeatedRouting } from './route-reasons.js';
import type { Session } from './session.js';
import { TimelineEntry } from './timeline-item.js';
import { ErrorNote, focusLost } from './ui.js';
import { upsert } from './upsert.js';
import { VirtualList } from './virtual-list.js';

/**
 * The conversation as the customer's profile has it now (one kept from before a reload may be stale):
 * their open one, or, when this customer has another or none open, this one resolved since.
 */
function freshConversation(c: Conversation, customer: CustomerView | undefined): Conversation | undefined {
  if (!customer) return undefined;
  const open = customer.openConversation;
  if (open?.id === c.id) return { ...c, ...conversationFrom(open) };
  if (customer.id === c.customerId && c.status === 'open') return { ...c, status: 'resolved' };
  return undefined;
}

/** The customer's open conversation when it is another than the one shown (a newer one, or one merged in). */
function otherOpen(c: Conversation, customer: CustomerView | undefined): Conversation | undefined {
  const open = customer?.openConversation;
  return open && open.id !== c.id ? open : undefined;
}

/**
 * Says plainly that the customer has another conversation open now, that what is written here goes
 * there (a reply to the resolved one would leave the new one waiting and unassigned), and opens it.
 */
function OtherOpenNote(props: { open: Conversation; onOpen(): void }) {
  const { open } = props;
  return (
    <div class="other-open" role="status">
      <p>
        This customer has a newer open conversation (
        {open.assignee ? `assigned to ${open.assignee}` : 'unassigned'}
        {open.waitingSince ? ', waiting' : ''}): replies and notes written here go to it.
      </p>
      <button type="button" onClick={props.onOpen}>
        Open the current conversation
      </button>
    </div>
  );
}

/**
 * Keeps keyboard focus somewhere sensible as panes come and go at phone width: on the conversation's
 * heading when it opens with focus left behind in the hidden inbox, in the customer panel when it opens,
 * and back on its Customer button when it closes with the focus in it (not when it closed as the focus
 * left it: the focus stays where the agent took it).
 */
function usePaneFocus(customerShown: boolean) {
  const shownBefore = useRef(customerShown);
  useEffect(() => {
    if (focusLost()) document.getElementById('conversation-title')?.focus();
  }, []);
  useEffect(() => {
    if (shownBefore.current === customerShown) return;
    shownBefore.current = customerShown;
    if (customerShown) document.getElementById('customer-title')?.focus();
    else if (focusLost()) document.querySelector<HTMLElement>('.customer-toggle')?.focus();
  }, [customerShown]);
}

/**
 * Who else views the conversation and who types in it (a reply or a note), from the live socket. The
 * view is drawn again when the soonest typing frame stops holding, so "bob is typing" goes when Bob
 * stops, not at whatever next changes on the page.
 */
function useAwareness(presence: Presence, id: string, me: string) {
  const [, expired] = useState(0);
  const now = Date.now();
  const others = (presence.viewing[id] ?? []).filter((a) => a !== me);
  const holding = Object.entries(presence.typing[id] ?? {}).filter(([a, t]) => a !== me && t.until > now);
  const soonest = Math.min(...holding.map(([, t]) => t.until));
  useEffect(() => {
    if (!Number.isFinite(soonest)) return;
    const timer = setTimeout(() => expired((n) => n + 1), Math.max(0, soonest - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [soonest]);
  return { others, typing: holding.map(([agent, t]) => ({ agent, note: t.note })) };
}

/**
 * The timeline's newest page, and above it "Earlier messages" while older items are there to read: each
 * press reads the page before and puts it above, the rows on screen staying where they are, and says
 * how many came.
 */
function Timeline(props: {
  /** The conversation shown (on the section: which one the timeline is, for a page moving between them). */
  conversationId: string;
  items: TimelineItem[];
  loading: boolean;
  me: string;
  earlier: Earlier;
  onEarlier(): void;
}) {
  const { earlier } = props;
  const told = useArrivals(props.items, props.loading, props.me);
  const acts = useMemo(() => customerActs(props.items), [props.items]);
  const shown = useMemo(() => answerPlaced(withoutRepeatedRouting(props.items)), [props.items]);
  const section = useRef<HTMLElement>(null);
  const pressed = useEarlierFocus(earlier, section);
  return (
    <section
      ref={section}
      class="timeline"
      aria-label="Timeline"
      aria-busy={props.loading}
      data-conversation={props.conversationId}
    >
      {props.loading ? <p class="muted loading">Loading the timeline…</p> : null}
      {earlier.cursor ? (
        <button
          type="button"
          class="earlier"
          aria-busy={earlier.busy}
          onClick={() => {
            pressed();
            props.onEarlier();
          }}
        >
          {earlier.busy ? 'Reading earlier messages…' : 'Earlier messages'}
        </button>
      ) : null}
      <p class="visually-hidden" role="status">
        {earlierSaid(earlier)}
      </p>
      {earlier.failed ? (
        <ErrorNote message="The earlier messages could not be read: press Earlier messages to try again." />
      ) : null}
      <VirtualList
        items={shown}
        keyOf={(i) => i.id}
        render={(i) => <TimelineEntry item={i} acts={acts} />}
        label="Messages"
      />
      <div class="visually-hidden" aria-live="polite" aria-relevant="additions">
        {told.map((t) => (
          <p key={t.id}>{t.text}</p>
        ))}
      </div>
    </section>
  );
}

/**
 * Keeps the conversation's status as the customer's profile has it, without letting an older profile
 * put back a status changed since. A read asked before the status last changed (a Reopen's answer, a
 * live event) answers what was before it: it does not change the conversation. A status changed by
 * anything but the profile has the profile read again, so the customer panel follows at once and a
 * live event older than the last read (the socket lags the store) is corrected by the next.
 */
function useProfileStatus(
  c: Conversation,
  data: { customer: CustomerView | undefined; read: number; asked(): number; refreshProfile(): void },
  onConversation: (c: Conversation) => void,
) {
  const sync = useRef({ since: 0, status: c.status, mine: false });
  useEffect(() => {
    const s = sync.current;
    if (s.status === c.status) return;
    s.status = c.status;
    const mine = s.mine;
    s.mine = false;
    if (mine) return;
    s.since = data.asked();
    data.refreshProfile();
  }, [c.status]);
  useEffect(() => {
    const fresh = data.read > sync.current.since ? freshConversation(c, data.customer) : undefined;
    if (!fresh) return;
    sync.current.mine = fresh.status !== c.status;
    onConversation(fresh);
  }, [data.customer]);
}

/**
 * Once the customer is erased, the tab forgets what it kept of them: the conversation remembered and
 * the drafts of every conversation of theirs the timeline named (a draft may sit under a newer one).
 */
function useForgetErased(erased: boolean, c: Conversation, items: readonly TimelineItem[]) {
  useEffect(() => {
    if (!erased) return;
    const conversations = new Set([
      c.id,
      ...items.flatMap((i) => (i.conversationId ? [i.conversationId] : [])),
    ]);
    forgetCustomers([c.customerId], [...conversations]);
  }, [erased]);
}

/** What the conversation view is given. */
interface ConversationProps {
  api: Api;
  session: Session;
  conversation: Conversation;
  onConversation(c: Conversation): void;
  /** Opens another conversation (the customer's current one). */
  onOpen(c: Conversation): void;
  onBack(): void;
  onResolve(): Promise<void>;
  /** The customer was erased, as learnt here (the erasure's answer, an action's `410`): every customer it erased. */
  onErased(customerIds: string[]): void;
  subscribe: Subscribe;
  reloads: number;
  presence: Presence;
  status: LiveStatus;
  agents: AgentRow[];
  queues: string[];
  onTyping(note: boolean): void;
  composer: { mode: 'reply' | 'note'; at: number } | undefined;
  /** When the agent last pressed `e`: resolve (or reopen) as the header's button does. */
  resolveAsked: number | undefined;
}

/** The timeline, the note of a newer open conversation, and the reply box (which writes to that one). */
function ConversationBody(
  props: Pick<
    ConversationProps,
    'api' | 'session' | 'conversation' | 'onOpen' | 'onTyping' | 'composer' | 'status' | 'onConversation'
  > & {
    data: ReturnType<typeof useConversationData>;
  },
) {
  const { data, conversation: c } = props;
  const open = otherOpen(c, data.customer);
  return (
    <>
      <Timeline
        conversationId={c.id}
        items={data.items}
        loading={data.loading}
        me={props.session.agentId}
        earlier={data.earlier}
        onEarlier={data.loadEarlier}
      />
      {open ? <OtherOpenNote open={open} onOpen={() => props.onOpen(open)} /> : null}
      {!open && c.status === 'open' && c.assignee && c.assignee !== props.session.agentId ? (
        <p class="held-by" role="note">
          {c.assignee} has this conversation: a reply of yours is sent only if you choose to (a note always
          is).
        </p>
      ) : null}
      <ReplyBox
        api={props.api}
        conversation={c}
        sendTo={open?.id}
        channels={data.channels}
        onSent={(item) => data.setItems((list) => upsert(list, item))}
        onRefused={data.refreshChannels}
        onConversation={props.onConversation}
        onTyping={props.onTyping}
        composer={props.composer}
        agentId={props.session.agentId}
        items={data.items}
        resolvedBy={
          !open && c.status === 'resolved'
            ? (resolverOf(data.items, c, props.session.agentId) ?? undefined)
            : undefined
        }
      />
    </>
  );
}

/** What `e` asks before it resolves an open conversation. */
const resolveQuestion = (name: string | undefined) =>
  `Resolve the conversation${name ? ` with ${name}` : ''}?`;

/** The open conversation: its header and actions, the customer's timeline, the reply box, the customer. */
export function ConversationView(props: ConversationProps) {
  const { api, conversation: c } = props;
  const data = useConversationData(api, c.customerId, props.subscribe, props.reloads, c.id);
  const erased = (ids: string[]) => {
    data.setErased(true);
    props.onErased(ids);
  };
  const reopenCheck = useReopenCheck(c, data.items, props.session.agentId);
  const name = data.erased
    ? { text: 'Erased customer' }
    : customerLabel(data.customer?.name, data.customer?.identities[0]);
  const actions = useHeadActions(api, c.id, {
    ...props,
    assignee: c.assignee,
    onResolve: () => reopenCheck(props.onResolve),
    keyQuestion: c.status === 'open' ? resolveQuestion(name.text) : undefined,
    erased: data.erased,
    onGone: () => erased([c.customerId]),
  });
  useForgetErased(data.erased, c, data.items);
  const [customerShown, setCustomerShown] = useState(false);
  usePaneFocus(customerShown);
  useProfileStatus(c, data, props.onConversation);
  const { others, typing } = useAwareness(props.presence, c.id, props.session.agentId);
  useOpenedSaid(data.customer || data.erased ? (name.text ?? c.customerId) : undefined, c.channel);
  useResolveSaid(c.id, c.status, resolverOf(data.items, c, props.session.agentId));
  return (
    <>
      <main class={`conversation${data.erased ? ' erased' : ''}`} aria-labelledby="conversation-title">
        <ConversationHead
          conversation={c}
          name={name}
          others={others}
          typing={typing}
          erased={data.erased}
          agents={props.agents}
          queues={props.queues}
          me={props.session.agentId}
          customerShown={customerShown}
          onCustomer={() => setCustomerShown((v) => !v)}
          onBack={props.onBack}
          {...actions}
        />
        {data.erased ? (
          <p class="gone" role="status">
            This customer was erased.
          </p>
        ) : (
          <MediaApi.Provider value={api}>
            <ConversationBody {...props} data={data} />
          </MediaApi.Provider>
        )}
      </main>
      {data.customer ? (
        <CustomerPanel
          api={api}
          session={props.session}
          customer={data.customer}
          items={data.items}
          current={c.id}
          currentOpen={c.status === 'open'}
          currentConversation={c}
          erased={data.erased}
          channels={data.channels}
          onErased={erased}
          onOpen={props.onOpen}
          shown={customerShown}
          onClose={() => setCustomerShown(false)}
          onChanged={() => {
            data.refreshProfile();
            data.reload();
          }}
        />
      ) : null}
    </>
  );
}
