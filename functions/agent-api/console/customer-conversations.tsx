import type { Api, Conversation, CustomerView, TimelineItem } from './api.js';
import { channelName, clock, openAfter } from './format.js';
import { useReadEach } from './ui.js';

/**
 * The customer's conversations named in their timeline, newest first, each a button that opens it: when
 * it started, on which channels, open or resolved, and the first words of the customer's first message.
 * The id is only its title (for copying), never the label: ids do not tell conversations apart.
 */
export function ConversationLinks(props: {
  api: Api;
  items: readonly TimelineItem[];
  customer: CustomerView;
  /** The conversation shown, and whether it is open as the view has it (a Reopen's answer shows at once). */
  current: string;
  currentOpen: boolean;
  /** The shown conversation as the view read it: not read again for its line. */
  currentConversation?: Conversation | undefined;
  onOpen(conversation: Conversation): void;
  onError(message: string): void;
}) {
  // The items are oldest first: the first item of each conversation shown (see `start` below).
  const starts = new Map<string, string>();
  for (const i of props.items)
    if (i.conversationId && !starts.has(i.conversationId)) starts.set(i.conversationId, i.at);
  const ids = [...starts.keys()].reverse();
  // The open one comes with the profile, the shown one with the view: neither is read again.
  const known = new Map<string, Conversation>();
  for (const c of [props.customer.openConversation, props.currentConversation]) if (c) known.set(c.id, c);
  const openId = openAfter(props.customer.openConversationId, props.current, props.currentOpen);
  // Each read once while the panel shows: a conversation's start and first words never change.
  const read: Record<string, Conversation> = {
    ...useReadEach(
      props.api,
      ids.filter((id) => !known.has(id)),
      (id) => `/api/conversations/${id}`,
    ),
    ...Object.fromEntries(known),
  };
  return (
    <section aria-labelledby="conversations-title">
      <h3 id="conversations-title">Conversations</h3>
      <ul class="conversation-links">
        {ids.map((id) => {
          const c = read[id];
          // The earlier of its record's creation and its first item shown: a message timed by its
          // provider before the resolver wrote the record (a webhook retried late) started it.
          const first = starts.get(id) as string;
          const start = c?.createdAt && c.createdAt < first ? c.createdAt : first;
          return (
            <li key={id}>
              <button
                type="button"
                class="conversation-link"
                title={`Conversation ${id}`}
                aria-current={id === props.current ? 'true' : undefined}
                onClick={() =>
                  props.api
                    .get<Conversation>(`/api/conversations/${id}`)
                    .then(props.onOpen, (e: Error) => props.onError(e.message))
                }
              >
                <span class="muted">
                  <time dateTime={start}>{clock(start)}</time>
                  {c?.channels.length ? ` · ${c.channels.map(channelName).join(', ')}` : ''} ·{' '}
                  <span>{id === openId ? 'Open' : 'Resolved'}</span>
                </span>
                {c?.preview ? <span dir="auto">{c.preview}</span> : null}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
