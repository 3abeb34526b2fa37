import { type ComponentChild, h, type Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isolatedDate } from '#shared/domain/bidi.js';
import { WEBCHAT_TEXT_MAX } from '#shared/domain/webchat/text-max.js';
import type { ChatMessage, Availability as Hours, StoredSession } from './api.js';
import { dayName, nextOpening } from './days.js';
import { linkParts } from './links.js';
import type { Unsent } from './outbox.js';
import { siteStore } from './storage.js';

const AUTHOR = { visitor: 'You', agent: 'Agent', ai: 'Assistant' } as const;

/**
 * The language of what people write in the chat (the messages, the box, the site's own title and
 * welcome): the host page's, likely the visitor's and the business's; empty (unknown) when the page
 * says none. The widget's own words are English (`lang="en"` on its root).
 */
export const pageLang = (): string => document.documentElement.getAttribute('lang') ?? '';

/**
 * Why the unsent messages have not gone yet: the browser is offline, or a try already failed (`stalled`:
 * the messages behind it wait for it), else nothing (they are on their way).
 */
type Holdup = 'offline' | 'stalled' | undefined;

/** The holdup of the outbox as it is: offline, or a try that failed and is being made again. */
function holdupOf(offline: boolean, unsent: readonly Unsent[]): Holdup {
  if (offline) return 'offline';
  return unsent.some((u) => u.state !== 'failed' && u.attempts > 0) ? 'stalled' : undefined;
}

/**
 * A message's status: "Sending…" only while nothing has gone wrong; once a try failed, "Not sent yet,
 * trying again…" until it goes, through the tries too (before, a hung network flickered between the
 * two every 15 s); offline, "Waiting for connection" on each one.
 */
function statusText(message: ChatMessage, unsent: Unsent | undefined, holdup: Holdup, held?: string): string {
  if (unsent?.state === 'failed') return 'Not sent';
  if (unsent && held) return held;
  if (unsent && holdup === 'offline') return 'Waiting for connection';
  if (unsent && holdup === 'stalled') return 'Not sent yet, trying again…';
  if (unsent) return 'Sending…';
  return message.author === 'visitor' ? 'Sent' : '';
}

function Message(props: {
  message: ChatMessage;
  unsent?: Unsent | undefined;
  holdup: Holdup;
  held?: string | undefined;
  onRetry(id: string): void;
}) {
  const { message, unsent } = props;
  const status = statusText(message, unsent, props.holdup, props.held);
  const failed = unsent?.state === 'failed';
  return h(
    'li',
    {
      class: `msg ${message.author}${failed ? ' failed' : ''}`,
      'data-id': message.id,
      'data-status': unsent ? unsent.state : (message.status ?? ''),
    },
    [
      h('span', { class: 'sr' }, `${AUTHOR[message.author]}: `),
      // Its own direction (Arabic, Hebrew): the page's would put its punctuation on the wrong side.
      message.text ? h('span', { class: 'text', dir: 'auto', lang: pageLang() }, linked(message.text)) : null,
      h(Files, { message }),
      h('span', { class: 'meta' }, [
        isolatedDate(new Date(message.at).toLocaleTimeString()),
        status ? ` · ${status}` : '',
        failed
          ? [
              ' · ',
              h(
                'button',
                { class: 'retry', type: 'button', onClick: () => props.onRetry(unsent.clientMessageId) },
                'Retry',
              ),
            ]
          : null,
      ]),
    ],
  );
}

/**
 * A message's text with its `https:` and `mailto:` addresses as links that open in a new tab (the
 * visitor's own too: what they pasted is as useful to them); the rest stays text.
 */
function linked(text: string): ComponentChild[] {
  return linkParts(text).map((part) =>
    typeof part === 'string'
      ? part
      : h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer' }, part.text),
  );
}

/** Our reply's files as links that open in a new tab (https only: the server sends no other). */
function Files(props: { message: ChatMessage }) {
  const files = (props.message.attachments ?? []).filter((f) => f.url.startsWith('https://'));
  if (!files.length) return null;
  return h(
    'ul',
    { class: 'files', 'aria-label': 'Files' },
    files.map((f) =>
      h('li', { key: f.url }, h('a', { href: f.url, target: '_blank', rel: 'noopener noreferrer' }, f.name)),
    ),
  );
}

/**
 * A message's element key: the visitor's own by its clientMessageId (`pending:<id>` while unsent,
 * `<…>.<id>` once Threadline has it), so the element stays when the message is sent and the log does not jump.
 */
function keyOf(message: ChatMessage): string {
  const client = /[.:]([0-9a-f]{32})$/.exec(message.id);
  return message.author === 'visitor' && client ? `c${client[1]}` : message.id;
}

/**
 * The history: the welcome text, then each message (and the unsent ones), each day under a line naming
 * it ("Today", "Yesterday", a date: a message shows only its time) and each conversation under a line
 * with its date.
 */
export function MessageList(props: {
  messages: ChatMessage[];
  unsent: readonly Unsent[];
  /** The site's own welcome (`data-welcome`, in the page's language), else ours in English. */
  welcome: string | undefined;
  /** The browser is offline: the unsent messages wait for the connection. */
  offline: boolean;
  /** No session can send the unsent messages now (the sign-in expired, say): what each says instead of "Sending…". */
  held?: string | undefined;
  onRetry(id: string): void;
  listRef: Ref<HTMLOListElement>;
  onScroll(): void;
}): ComponentChild {
  const welcome = { class: 'msg ai welcome', key: 'welcome', lang: props.welcome ? pageLang() : undefined };
  const items: ComponentChild[] = [h('li', welcome, props.welcome ?? 'Hi! How can we help?')];
  const byId = new Map(props.unsent.map((u) => [`pending:${u.clientMessageId}`, u]));
  const pending = props.unsent.map(
    (u): ChatMessage => ({ id: `pending:${u.clientMessageId}`, at: u.at, author: 'visitor', text: u.text }),
  );
  // Unsent messages go last whatever the visitor's clock says (the history is in Threadline's order).
  const all = [...props.messages, ...pending];
  const holdup = holdupOf(props.offline, props.unsent);
  let conversation: string | undefined;
  let day: string | undefined;
  for (const message of all) {
    const on = new Date(message.at).toDateString();
    if (on !== day) items.push(h('li', { class: 'divider day', key: on }, dayName(message.at)));
    day = on;
    if (message.conversationId && message.conversationId !== conversation) {
      const when = `${conversation ? 'New conversation' : 'Conversation'} · ${isolatedDate(new Date(message.at).toLocaleString())}`;
      items.push(h('li', { class: 'divider', key: `d${message.id}` }, when));
    }
    conversation = message.conversationId ?? conversation;
    items.push(
      h(Message, {
        key: keyOf(message),
        message,
        unsent: byId.get(message.id),
        holdup,
        held: props.held,
        onRetry: props.onRetry,
      }),
    );
  }
  return h(
    'ol',
    {
      class: 'log',
      role: 'log',
      // Not live: a page of history put in would be read out whole (`Arrivals` tells what comes, once).
      'aria-live': 'off',
      'aria-label': 'Conversation',
      ref: props.listRef,
      onScroll: props.onScroll,
    },
    items,
  );
}

/** How many arrivals at once are told one by one; more (a reconnect's catch-up) are told as a count. */
const TOLD_ONE_BY_ONE = 3;
const NOT_SENT = 'Not sent: ';
/** How long what was told stays in the hidden region: then it goes, so reading the panel meets it once. */
const TOLD_FOR_MS = 5_000;

/**
 * What a screen reader is told of the chat: the replies that come once the history has been read (newer
 * than its newest), and the visitor's messages that could not be sent, each once; not the history (read
 * again on each page of the shop, or paged back), and not the visitor's own words as they go. Its own
 * words (`said`) are in English, as its root; what people wrote (`text`) in the page's language, as in the log.
 * What was told goes from the region 5 s after the last of it (the log keeps the messages).
 */
export function Arrivals(props: {
  messages: ChatMessage[];
  unsent: readonly Unsent[];
  ready: boolean;
}): ComponentChild {
  const newest = useRef<string>();
  const [told, setTold] = useState<Array<{ id: string; said: string; text?: string | undefined }>>([]);
  /** The messages told "Not sent" that are still in the outbox (told "Sent" once they leave it). */
  const failed = useRef(new Map<string, string>()).current;
  useEffect(() => {
    if (!props.ready) return;
    const since = newest.current;
    newest.current = props.messages.reduce((at, m) => (m.at > at ? m.at : at), since ?? '');
    if (since === undefined) return;
    const replies = props.messages.filter((m) => m.author !== 'visitor' && m.at > since);
    const fresh = replies.map((m) => ({ id: m.id, said: `${AUTHOR[m.author]}: `, text: m.text }));
    const said =
      fresh.length > TOLD_ONE_BY_ONE ? [{ id: newest.current, said: `${fresh.length} new messages` }] : fresh;
    if (said.length) setTold((list) => [...list, ...said].slice(-TOLD_ONE_BY_ONE));
  }, [props.messages, props.ready]);
  useEffect(() => {
    const said = props.unsent
      .filter((u) => u.state === 'failed' && !failed.has(u.clientMessageId))
      .map((u) => ({ id: u.clientMessageId, said: NOT_SENT, text: u.text }));
    for (const s of said) failed.set(s.id, s.text);
    // Once Threadline has a message told "Not sent" (it left the outbox), "Sent" replaces that line.
    const gone = [...failed.keys()].filter((id) => !props.unsent.some((u) => u.clientMessageId === id));
    const sent = gone.map((id) => ({ id: `${id}:sent`, said: 'Sent: ', text: failed.get(id) }));
    for (const id of gone) failed.delete(id);
    if (said.length || gone.length)
      setTold((list) =>
        [...list.filter((t) => !(t.said === NOT_SENT && gone.includes(t.id))), ...sent, ...said].slice(
          -TOLD_ONE_BY_ONE,
        ),
      );
  }, [props.unsent]);
  useEffect(() => {
    if (!told.length) return;
    const timer = setTimeout(() => setTold([]), TOLD_FOR_MS);
    return () => clearTimeout(timer);
  }, [told]);
  return h(
    'div',
    { class: 'sr', 'aria-live': 'polite', 'aria-relevant': 'additions' },
    told.map((t) =>
      h('p', { key: t.id }, [t.said, t.text ? h('span', { dir: 'auto', lang: pageLang() }, t.text) : null]),
    ),
  );
}

/**
 * When nobody is there: when a person will answer, and whether the answer also goes by email. Only a
 * verified visitor's replies are emailed, and only while Threadline's fallback is on (`emailFallback`):
 * the email an anonymous visitor types is for the team to reach them, never a promise of a reply there.
 * Once a person has written since the visitor's last message, the note goes for the rest of the chat.
 */
export function Availability(props: {
  hours: Hours | undefined;
  session: StoredSession | undefined;
  messages: readonly ChatMessage[];
  /** The pre-chat form is not shown (a signed-in visitor's sign-in expired): no email is asked for. */
  noForm?: boolean;
}): ComponentChild {
  const { hours, session, messages } = props;
  const answeredIn = useRef<string>();
  const last = messages.reduce((at, m) => (m.author === 'visitor' && m.at > at ? m.at : at), '');
  if (messages.some((m) => m.author === 'agent' && m.at > last)) answeredIn.current = session?.sessionToken;
  if (!hours || hours.open || (session && answeredIn.current === session.sessionToken)) return null;
  const then = !session
    ? props.noForm
      ? ''
      : 'Leave your email below so our team can reach you.'
    : session.verified && hours.emailFallback !== false
      ? 'We will also answer by email if you have left.'
      : 'The answer will wait for you here.';
  return h(
    'p',
    { class: 'note', role: 'status', id: 'tl-hours' },
    `We are away now. A person will answer from ${nextOpening(hours)}.${then && ` ${then}`}`,
  );
}

/** Why the chat could not start, with a way on when there is one. */
export function Problem(props: {
  text: string | undefined;
  onRetry?: (() => void) | undefined;
}): ComponentChild {
  if (!props.text) return null;
  const retry = props.onRetry
    ? [' ', h('button', { class: 'retry', type: 'button', onClick: props.onRetry }, 'Try again')]
    : null;
  return h('p', { class: 'note', role: 'alert' }, [props.text, retry]);
}

/** Where the composer starts counting the characters left (nine tenths of the limit). */
const COUNT_FROM = WEBCHAT_TEXT_MAX * 0.9;

/**
 * The length of the message as Threadline counts it (trimmed, UTF-16 units), shown from nine tenths of
 * the limit; over it, why the message will not go (the box keeps the whole paste: nothing is cut).
 */
function Count(props: { length: number }): ComponentChild {
  const { length } = props;
  const n = (value: number) => value.toLocaleString('en');
  if (length > WEBCHAT_TEXT_MAX) {
    return h(
      'p',
      { class: 'error count', id: 'tl-count', role: 'alert' },
      `Your message is ${n(length)} characters: the limit is ${n(WEBCHAT_TEXT_MAX)}. Shorten it or send it in parts.`,
    );
  }
  if (length < COUNT_FROM) return null;
  return h('p', { class: 'count', id: 'tl-count' }, `${n(length)} / ${n(WEBCHAT_TEXT_MAX)}`);
}

/**
 * The composer: Enter sends, Shift+Enter is a new line. `focus`: it takes the focus when it appears
 * (it replaced the pre-chat form that had it, which would leave the focus nowhere). A message over
 * Threadline's limit stays in the box with the reason beside it, unsent.
 */
export function Composer(props: {
  onSend(text: string): void;
  focus: boolean;
  draftKey: string;
}): ComponentChild {
  const area = useRef<HTMLTextAreaElement>(null);
  const [length, setLength] = useState(0);
  /** The draft, kept beside the session in the site's localStorage: the next page, or tab, shows it again. */
  const keep = (text: string) => {
    if (text) siteStore.setItem(props.draftKey, text);
    else siteStore.removeItem(props.draftKey);
  };
  useEffect(() => {
    if (area.current) area.current.value = siteStore.getItem(props.draftKey) ?? '';
    setLength(area.current?.value.trim().length ?? 0);
    if (props.focus) area.current?.focus();
  }, []);
  const send = (area: HTMLTextAreaElement) => {
    const text = area.value.trim();
    if (!text || text.length > WEBCHAT_TEXT_MAX) return;
    props.onSend(text);
    area.value = '';
    keep('');
    setLength(0);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      send(event.currentTarget as HTMLTextAreaElement);
    }
  };
  const onSubmit = (event: Event) => {
    event.preventDefault();
    send((event.currentTarget as HTMLFormElement).querySelector('textarea') as HTMLTextAreaElement);
  };
  const over = length > WEBCHAT_TEXT_MAX;
  const onInput = (event: Event) => {
    const text = (event.currentTarget as HTMLTextAreaElement).value;
    keep(text);
    setLength(text.trim().length);
  };
  return h('form', { onSubmit, 'aria-label': 'Send a message' }, [
    h('label', { class: 'sr', for: 'tl-text' }, 'Message'),
    h('textarea', {
      id: 'tl-text',
      ref: area,
      rows: 2,
      'aria-invalid': over ? 'true' : undefined,
      'aria-describedby': length >= COUNT_FROM ? 'tl-count' : undefined,
      dir: 'auto',
      lang: pageLang(),
      onKeyDown,
      onInput,
      placeholder: 'Write a message…',
    }),
    h('button', { class: 'send', type: 'submit' }, 'Send'),
    h(Count, { length }),
  ]);
}
