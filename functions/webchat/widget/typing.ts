// Who the panel shows typing: an agent's hint fades; the AI's is left out when it will not answer.
import { useRef, useState } from 'preact/hooks';
import type { ChatMessage, Handoff } from './api.js';

/** How long an agent's typing shows after their last hint (the console repeats it while they type). */
const AGENT_TYPING_MS = 6_000;

/** Who is typing, as the live frames say; an agent's typing fades unless renewed (no "stopped" comes). */
export function useTyping() {
  const [typing, setTyping] = useState<'agent' | 'ai' | undefined>();
  const fade = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const show = (by: 'agent' | 'ai' | undefined) => {
    clearTimeout(fade.current);
    setTyping(by);
    if (by === 'agent') fade.current = setTimeout(() => setTyping(undefined), AGENT_TYPING_MS);
  };
  return [typing, show] as const;
}

/**
 * Whether the AI will not answer the visitor's next message: the conversation waits for a person (a
 * hand-off shown, after hours too) or an agent wrote in it (routing hands an agent's conversation to
 * them). Its typing is not shown then: before, a burst of eight messages after hours showed "The
 * assistant is typing…" for each (the frame comes with the message, before routing decides).
 */
export function aiAway(messages: readonly ChatMessage[], handoff: Handoff | undefined): boolean {
  if (handoff) return true;
  const current = [...messages].reverse().find((m) => m.conversationId)?.conversationId;
  return Boolean(current) && messages.some((m) => m.author === 'agent' && m.conversationId === current);
}
