import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, type Conversation, type TimelineItem } from './api.js';
import { notSentText } from './format.js';
import { type ComposerMode, keyFor, savePending } from './place.js';
import { type HeldReply, holderNow, replyContent, takeOver } from './reply-claim.js';

/**
 * Posts a note or a reply, one at a time (a second Ctrl+Enter while one is on its way is ignored), each
 * with an Idempotency-Key kept for the tab until the API accepts it (`keyFor`), so a retry never sends or
 * stores twice, after a reload too. A reply the channel's rules refuse (409 or 422) has the channels read again, so the
 * choice and the template form show what the channel allows now. A reply refused because a colleague
 * has the conversation (409 `assignee_changed`) is held (`held`): the view learns who has it, and the
 * agent chooses what to do (see `HeldNote`).
 */
export function useSender(
  api: Api,
  conversationId: string,
  on: {
    sent(item: TimelineItem): void;
    refused(): void;
    conversation: ((c: Conversation) => void) | undefined;
  },
) {
  const running = useRef(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [held, setHeld] = useState<HeldReply | undefined>(undefined);
  useEffect(() => setHeld(undefined), [conversationId]);
  const post = async (mode: ComposerMode, body: Record<string, unknown>): Promise<TimelineItem> => {
    const content = mode === 'note' ? String(body.text ?? '') : replyContent(body);
    const headers = { 'Idempotency-Key': keyFor(conversationId, mode, content) };
    const path = `/api/conversations/${conversationId}/${mode === 'note' ? 'notes' : 'replies'}`;
    const out = await api.send<{ note?: TimelineItem; reply?: TimelineItem }>('POST', path, body, headers);
    savePending(conversationId, undefined);
    return (out.note ?? out.reply) as TimelineItem;
  };
  /** Who has the conversation when a colleague's holding it refused the reply, else "". */
  const holderOf = async (mode: ComposerMode, e: unknown): Promise<string> =>
    mode === 'reply' && e instanceof ApiError && e.code === 'assignee_changed'
      ? holderNow(api, conversationId, on.conversation).catch(() => '')
      : '';
  const send = async (
    mode: ComposerMode,
    body: Record<string, unknown>,
    before?: () => Promise<void>,
  ): Promise<boolean> => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError('');
    setHeld(undefined);
    try {
      await before?.();
      on.sent(await post(mode, body));
      return true;
    } catch (e) {
      const holder = await holderOf(mode, e);
      if (holder) setHeld({ holder, body });
      else setError(notSentText(e));
      if (!holder && e instanceof ApiError && (e.status === 409 || e.status === 422)) on.refused();
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  /** The held reply sent after taking the conversation over, or beside its holder. */
  const resend = (how: 'take' | 'beside'): Promise<boolean> => {
    if (!held) return Promise.resolve(false);
    const { holder, body } = held;
    if (how === 'beside') return send('reply', { ...body, expectedAssignee: holder });
    return send('reply', body, () => takeOver(api, conversationId, holder, on.conversation));
  };
  return { send, resend, held, error, setError, busy };
}
