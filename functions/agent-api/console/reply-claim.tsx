import { useState } from 'preact/hooks';
import type { Api, Conversation } from './api.js';

/** A reply refused because a colleague has the conversation (409 `assignee_changed`): who, and what was not sent. */
export interface HeldReply {
  holder: string;
  body: Record<string, unknown>;
}

/**
 * Who has the conversation now, read again after a reply refused for its holder; the view is brought
 * up to date with it when it shows that conversation (`onConversation`).
 */
export async function holderNow(
  api: Api,
  id: string,
  onConversation: ((c: Conversation) => void) | undefined,
): Promise<string> {
  const conversation = await api.get<Conversation>(`/api/conversations/${id}`);
  onConversation?.(conversation);
  return conversation.assignee ?? '';
}

/** Takes the conversation over from `holder`, only while they still have it (else 409, nothing changed). */
export async function takeOver(
  api: Api,
  id: string,
  holder: string,
  onConversation: ((c: Conversation) => void) | undefined,
): Promise<void> {
  const body = { agentId: 'me', expectedAssignee: holder };
  onConversation?.(await api.send<Conversation>('POST', `/api/conversations/${id}/assign`, body));
}

/** The reply's body as its `Idempotency-Key` covers it: `expectedAssignee` is no part of the reply. */
export function replyContent(body: Record<string, unknown>): string {
  return JSON.stringify({ ...body, expectedAssignee: undefined });
}

/** What the box says once the held reply went, as the agent chose. */
function heldOutcome(how: 'take' | 'beside', holder: string): string {
  return how === 'take'
    ? `You took this conversation over from ${holder}: your reply was sent.`
    : `Your reply was sent beside ${holder}: the conversation stays theirs.`;
}

/**
 * The agent's choice on a held reply: it is sent as chosen (`resend`), what went is taken out of the
 * box (`gone`), and `outcome` says what became of it (the box's status line: before, nothing did; `say`
 * puts another send's outcome there);
 * `restore` puts the focus back, sent or not.
 */
export function useHeldChoice(
  held: HeldReply | undefined,
  resend: (how: 'take' | 'beside') => Promise<boolean>,
  after: { gone(body: Record<string, unknown>): void; restore(): void },
) {
  const [outcome, setOutcome] = useState('');
  const choose = async (how: 'take' | 'beside') => {
    if (!held) return;
    const { body, holder } = held;
    if (await resend(how)) {
      after.gone(body);
      setOutcome(heldOutcome(how, holder));
    }
    after.restore();
  };
  return { outcome, choose, clear: () => setOutcome(''), say: setOutcome };
}

/**
 * Says who has the conversation and that the reply was not sent; the agent chooses: take it over and
 * send, or send beside them (it stays theirs). The text stays in the box meanwhile.
 */
export function HeldNote(props: { held: HeldReply; busy: boolean; onChoose(how: 'take' | 'beside'): void }) {
  return (
    <div class="held-reply" role="alert">
      <p>{props.held.holder} has this conversation: your reply was not sent.</p>
      <button type="button" disabled={props.busy} onClick={() => props.onChoose('take')}>
        Take it over and send
      </button>
      <button type="button" disabled={props.busy} onClick={() => props.onChoose('beside')}>
        Send anyway
      </button>
    </div>
  );
}
