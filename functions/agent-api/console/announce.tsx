import { useEffect, useRef, useState } from 'preact/hooks';
import type { Conversation, InboxConversation } from './api.js';
import type { Subscribe } from './app.js';
import { customerLabel } from './customer-label.js';
import { channelName } from './format.js';
import { readDraft } from './place.js';

let tell: ((text: string) => void) | undefined;

/**
 * Says `text` politely to a screen reader through the console's one status line (`Announcer`): what
 * changed out of the agent's sight (a conversation opened while the focus stays in the inbox, a send
 * the server took). The same text said twice is read twice.
 */
export function announce(text: string): void {
  tell?.(text);
}

/** How long a said text stays in the status line: then it goes, so browse mode does not meet it again. */
const KEPT_MS = 5_000;

/** The status line `announce` says through (one per console, out of sight). */
export function Announcer() {
  const [said, setSaid] = useState({ text: '', n: 0 });
  useEffect(() => {
    tell = (text) => setSaid((s) => ({ text, n: s.n + 1 }));
    return () => {
      tell = undefined;
    };
  }, []);
  useEffect(() => {
    if (!said.text) return;
    const timer = setTimeout(() => setSaid((s) => ({ ...s, text: '' })), KEPT_MS);
    return () => clearTimeout(timer);
  }, [said.n]);
  return (
    <div class="visually-hidden" role="status" id="console-said">
      {said.text ? <p key={said.n}>{said.text}</p> : null}
    </div>
  );
}

/**
 * Says which conversation opened (`Opened: <name>, <channel>`) once its customer's name is read (`name`
 * undefined until then), unless the focus is on its heading, which says it already (phone width, `j`
 * from the heading). The inbox keeps the focus at desktop width: without it, opening was silent.
 */
export function useOpenedSaid(name: string | undefined, channel: string | undefined): void {
  const said = useRef(false);
  useEffect(() => {
    if (said.current || name === undefined) return;
    said.current = true;
    if (document.activeElement?.id === 'conversation-title') return;
    announce(`Opened: ${name}${channel ? `, ${channelName(channel)}` : ''}`);
  }, [name]);
}

/** The page's own title (the console's HTML has it). */
const TITLE = 'Threadline console';

let nameUrgent: ((text: string) => void) | undefined;

/** Puts in the tab's title the urgent arrivals not opened yet ("Urgent: Nia New · ", see urgent.tsx); '' takes them out. */
export function titleUrgent(text: string): void {
  nameUrgent?.(text);
}

/**
 * The tab's title counts the conversations of the inbox as listed whose customer waits for an answer
 * ("(3) Threadline console"), so a tab in the background shows there is work; no count when none waits.
 * An urgent arrival not opened yet (the inbox's notice, `titleUrgent`) is named after it: "(3) Urgent:
 * Nia New · Threadline console".
 */
function useWaitingTitle(rows: readonly { status?: string; waitingSince?: string | undefined }[]): void {
  const waiting = rows.filter((r) => r.status === 'open' && r.waitingSince).length;
  const [named, setNamed] = useState('');
  useEffect(() => {
    nameUrgent = setNamed;
    return () => {
      nameUrgent = undefined;
    };
  }, []);
  useEffect(() => {
    document.title = `${waiting ? `(${waiting}) ` : ''}${named}${TITLE}`;
  }, [waiting, named]);
  useEffect(
    () => () => {
      document.title = TITLE;
    },
    [],
  );
}

/**
 * Says a resolve that came while the conversation was shown ("bob resolved this conversation"), once
 * the timeline names who (`resolver`: null until its event has come, undefined for this agent's own).
 * A reply being written says it already (the reply box's alert); before, an empty box said nothing.
 */
export function useResolveSaid(id: string, status: string, resolver: string | null | undefined): void {
  const seen = useRef({ status, pending: false });
  useEffect(() => {
    const s = seen.current;
    if (s.status === status) return;
    s.pending = status === 'resolved';
    s.status = status;
  }, [status]);
  useEffect(() => {
    const s = seen.current;
    if (!s.pending || resolver === null) return;
    s.pending = false;
    const draft = readDraft(id);
    if (resolver === undefined || (draft.mode === 'reply' && draft.text.trim())) return;
    announce(`${resolver} resolved this conversation`);
  }, [resolver, status]);
}

/**
 * Says a customer's new message in a conversation of the agent's own (assigned to them) other than the
 * one open: "New message from Kai Other, in another conversation". Before, nothing did. Others' and
 * unassigned conversations are left to the inbox and the title's count: read aloud for a whole team's
 * traffic, they would drown the agent's own.
 */
function useElsewhereSaid(
  subscribe: Subscribe,
  shownId: string | undefined,
  rows: readonly (Conversation & { customer?: InboxConversation['customer'] })[],
  me: string,
): void {
  const latest = useRef({ shownId, rows });
  latest.current = { shownId, rows };
  useEffect(() => {
    const told = new Set<string>();
    return subscribe((event) => {
      const { item, conversationId: id } = event;
      if (event.type !== 'timeline.item' || item?.type !== 'message' || item.direction !== 'inbound') return;
      if (!id || id === latest.current.shownId || told.has(item.id)) return;
      const row = latest.current.rows.find((r) => r.id === id);
      if (row?.assignee !== me) return;
      told.add(item.id);
      const who = customerLabel(row.customer?.name, row.customer?.identity).text ?? 'a customer';
      announce(`New message from ${who}, in another conversation`);
    });
  }, [subscribe, me]);
}

/**
 * What the console tells of work out of the agent's sight: the title's waiting count (and urgent
 * arrivals, as the inbox names them), their own conversations' new messages.
 */
export function useWorkTold(
  subscribe: Subscribe,
  shownId: string | undefined,
  rows: readonly (Conversation & { customer?: InboxConversation['customer'] })[],
  me: string,
): void {
  useWaitingTitle(rows);
  useElsewhereSaid(subscribe, shownId, rows, me);
}
