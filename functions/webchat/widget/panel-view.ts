import { type ComponentChild, h } from 'preact';
import type { ChatMessage, StoredSession } from './api.js';

/** The panel's stylesheet, adopted into the shadow root (no inline styles: a strict CSP allows it). */
export const PANEL_CSS = `.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:min(360px,calc(100vw - 40px));height:min(520px,calc(100vh - 120px));display:flex;flex-direction:column;background:#fff;color:#1b1b1b;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.25);font:14px/1.4 system-ui,sans-serif;overflow:hidden}
.head{background:#1f5fbf;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:center}
.head h2{font-size:16px;margin:0}
.close{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}
.log{flex:1;overflow-y:auto;padding:12px;margin:0;list-style:none}
.msg{max-width:80%;margin:6px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}
.visitor{margin-left:auto;background:#1f5fbf;color:#fff}
.agent,.ai{background:#eef1f5}
.meta{display:block;font-size:11px;opacity:.75;margin-top:2px}
.divider{text-align:center;font-size:12px;color:#555;margin:12px 0 4px}
.note{padding:8px 12px;background:#fff8e1;font-size:13px}
.typing{padding:0 12px 6px;font-size:12px;color:#555;min-height:18px}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd}
form.pre{flex-direction:column;border:0}
form.pre label{display:flex;flex-direction:column;gap:2px;font-size:13px}
textarea,input{flex:1;font:inherit;padding:8px;border:1px solid #888;border-radius:6px;resize:none}
button.send{background:#1f5fbf;color:#fff;border:0;border-radius:6px;padding:8px 12px;cursor:pointer}
:focus-visible{outline:3px solid #ffbf47;outline-offset:1px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;

const AUTHOR = { visitor: 'You', agent: 'Agent', ai: 'Assistant' } as const;

function statusText(message: ChatMessage): string {
  if (message.pending) return 'Sending…';
  if (message.author !== 'visitor') return '';
  return 'Sent';
}

/** The history: the welcome text, then each message, with a divider where a new conversation starts. */
export function MessageList(props: { messages: ChatMessage[]; welcome: string }): ComponentChild {
  const items: ComponentChild[] = [h('li', { class: 'msg ai welcome', key: 'welcome' }, props.welcome)];
  let conversation: string | undefined;
  for (const message of props.messages) {
    if (message.conversationId && conversation && message.conversationId !== conversation) {
      const when = new Date(message.at).toLocaleString();
      items.push(h('li', { class: 'divider', key: `d${message.id}` }, `New conversation · ${when}`));
    }
    conversation = message.conversationId ?? conversation;
    const status = statusText(message);
    items.push(
      h(
        'li',
        {
          class: `msg ${message.author}`,
          key: message.id,
          'data-id': message.id,
          'data-status': message.status ?? '',
        },
        [
          h('span', { class: 'sr' }, `${AUTHOR[message.author]}: `),
          message.text,
          h('span', { class: 'meta' }, [
            new Date(message.at).toLocaleTimeString(),
            status ? ` · ${status}` : '',
          ]),
        ],
      ),
    );
  }
  return h('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' }, items);
}

/** When nobody is there: when a person will answer, and the offer to go on by email. */
export function Availability(props: { session: StoredSession | undefined }): ComponentChild {
  const availability = props.session?.availability;
  if (!availability || availability.open) return null;
  const when = availability.nextOpenAt
    ? new Date(availability.nextOpenAt).toLocaleString(undefined, {
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      })
    : 'soon';
  const email = props.session?.verified
    ? 'we will also answer by email if you have left.'
    : 'leave your email below and we will continue by email.';
  return h(
    'p',
    { class: 'note', role: 'status' },
    `We are away now. A person will answer from ${when}; ${email}`,
  );
}

/** The pre-chat form of an anonymous visitor: a name and an email, both optional. */
export function PreChat(props: {
  onStart(name: string, email: string): void;
  offline: boolean;
}): ComponentChild {
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    props.onStart(String(data.get('name') ?? ''), String(data.get('email') ?? ''));
  };
  return h('form', { class: 'pre', onSubmit: submit, 'aria-label': 'Start a chat' }, [
    h('label', {}, [
      'Your name (optional)',
      h('input', { name: 'name', autocomplete: 'name', maxLength: 256 }),
    ]),
    h('label', {}, [
      props.offline ? 'Your email, to continue by email' : 'Your email (optional)',
      h('input', { name: 'email', type: 'email', autocomplete: 'email', maxLength: 320 }),
    ]),
    h('button', { class: 'send', type: 'submit' }, 'Start chat'),
  ]);
}

/** The composer: Enter sends, Shift+Enter is a new line. */
export function Composer(props: { onSend(text: string): void }): ComponentChild {
  const send = (area: HTMLTextAreaElement) => {
    const text = area.value.trim();
    if (!text) return;
    props.onSend(text.slice(0, 4000));
    area.value = '';
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
  return h('form', { onSubmit, 'aria-label': 'Send a message' }, [
    h('label', { class: 'sr', for: 'tl-text' }, 'Message'),
    h('textarea', { id: 'tl-text', rows: 2, maxLength: 4000, onKeyDown, placeholder: 'Write a message…' }),
    h('button', { class: 'send', type: 'submit' }, 'Send'),
  ]);
}
