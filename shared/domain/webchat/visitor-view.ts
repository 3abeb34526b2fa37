import type { DeliveryStatus } from '../envelope.js';
import { authorKind, type TimelineItem } from '../timeline.js';

/** One message as the visitor's panel shows it: never a note, an event or a raw payload. */
export interface VisitorMessage {
  id: string;
  at: string;
  conversationId?: string;
  channel?: string;
  author: 'visitor' | 'agent' | 'ai';
  text: string;
  status?: DeliveryStatus;
}

/**
 * The visitor's view of a timeline item, or undefined for what a visitor may not see: notes, events,
 * messages without text, and outbound messages nobody of ours wrote (echoes of other tools).
 */
export function visitorMessage(item: TimelineItem): VisitorMessage | undefined {
  if (item.type !== 'message' || typeof item.text !== 'string' || item.text.length === 0) return undefined;
  const base = {
    id: item.id,
    at: item.at,
    text: item.text,
    ...(item.conversationId ? { conversationId: item.conversationId } : {}),
    ...(item.channel ? { channel: item.channel } : {}),
  };
  if (item.direction === 'inbound') return { ...base, author: 'visitor' };
  const author = authorKind(item);
  if (author !== 'agent' && author !== 'ai') return undefined;
  return { ...base, author, ...(item.status ? { status: item.status } : {}) };
}

/** What the visitor's live socket says of a change to their timeline. */
export type VisitorFrame =
  | { type: 'message'; message: VisitorMessage }
  | { type: 'typing'; by: 'agent' | 'ai'; on: boolean; conversationId?: string };

/**
 * The frames one new or changed timeline item makes for its visitor: the message itself, and the AI's
 * typing indicator (on when the visitor's message arrives and the AI may answer, off with the answer
 * or the routing decision), on the item's first write only. `aiAnswers` is false where no routing runs.
 */
export function visitorFrames(
  item: TimelineItem,
  change: { inserted: boolean; aiAnswers: boolean },
): VisitorFrame[] {
  const conversation = item.conversationId ? { conversationId: item.conversationId } : {};
  if (item.type === 'event' && item.event === 'routed') {
    return change.inserted ? [{ type: 'typing', by: 'ai', on: false, ...conversation }] : [];
  }
  const message = visitorMessage(item);
  if (!message) return [];
  const frames: VisitorFrame[] = [{ type: 'message', message }];
  if (message.author === 'visitor' && change.aiAnswers && change.inserted && item.channel === 'webchat') {
    frames.push({ type: 'typing', by: 'ai', on: true, ...conversation });
  }
  if (message.author === 'ai') frames.push({ type: 'typing', by: 'ai', on: false, ...conversation });
  return frames;
}

/** An agent's typing as the visitor sees it: a label (`agent`), never who. It fades in the panel unless renewed. */
export function agentTypingFrame(conversationId: string): VisitorFrame {
  return { type: 'typing', by: 'agent', on: true, conversationId };
}
