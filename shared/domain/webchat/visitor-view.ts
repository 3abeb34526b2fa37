import { isSurveyAnswer } from '../csat/answer.js';
import type { DeliveryStatus } from '../envelope.js';
import { authorKind, type TimelineItem } from '../timeline.js';
import { isHttpsLink } from './attachments.js';

/** One message as the visitor's panel shows it: never a note, an event or a raw payload. */
export interface VisitorMessage {
  id: string;
  at: string;
  conversationId?: string;
  channel?: string;
  author: 'visitor' | 'agent' | 'ai';
  text: string;
  status?: DeliveryStatus;
  /** Files of our reply, as links the panel opens in a new tab: https only, never fetched by us. */
  attachments?: VisitorAttachment[];
}

/** A file of a reply as the visitor's panel shows it: its https link, its kind, and a name to show. */
export interface VisitorAttachment {
  url: string;
  kind: string;
  name: string;
}

/** The https files a reply item carries (`data.attachments`), named by their filename or the link's last segment. */
function replyAttachments(item: TimelineItem): VisitorAttachment[] {
  const list = Array.isArray(item.data?.attachments) ? (item.data.attachments as unknown[]) : [];
  const out: VisitorAttachment[] = [];
  for (const entry of list.slice(0, 10)) {
    const a = entry as { url?: unknown; kind?: unknown; filename?: unknown };
    if (typeof a.url !== 'string' || !isHttpsLink(a.url)) continue;
    const last = decodeURIComponent(new URL(a.url).pathname.split('/').pop() ?? '') || 'file';
    const name = typeof a.filename === 'string' && a.filename ? a.filename : last;
    out.push({ url: a.url, kind: typeof a.kind === 'string' ? a.kind : 'file', name });
  }
  return out;
}

/**
 * The visitor's view of a timeline item, or undefined for what a visitor may not see: notes, events,
 * messages with neither text nor a file, outbound messages nobody of ours wrote (echoes of other
 * tools), and automatic ones that only repeat the chat (the email fallback, `author.automatic`). Our reply's files go along as https links (`attachments`).
 */
export function visitorMessage(item: TimelineItem): VisitorMessage | undefined {
  if (item.type !== 'message') return undefined;
  const text = typeof item.text === 'string' ? item.text : '';
  const attachments = item.direction === 'outbound' ? replyAttachments(item) : [];
  if (text.length === 0 && attachments.length === 0) return undefined;
  const base = {
    id: item.id,
    at: item.at,
    text,
    ...(attachments.length ? { attachments } : {}),
    ...(item.conversationId ? { conversationId: item.conversationId } : {}),
    ...(item.channel ? { channel: item.channel } : {}),
  };
  if (item.direction === 'inbound') return { ...base, author: 'visitor' };
  // The email fallback repeats replies the chat shows already: not a message of its own there.
  if ((item.data?.author as { automatic?: unknown } | undefined)?.automatic) return undefined;
  const author = authorKind(item);
  if (author !== 'agent' && author !== 'ai') return undefined;
  return { ...base, author, ...(item.status ? { status: item.status } : {}) };
}

/**
 * Routing sent the visitor's web-chat conversation to a person or a queue (on the message at `at`):
 * the panel says someone is being fetched until an agent or the AI writes after `at`. `afterHours`:
 * decided outside business hours.
 */
export interface VisitorHandoff {
  conversationId: string;
  at: string;
  afterHours?: true;
}

/**
 * The hand-off a timeline item records, if any: routing's `routed` event on a web-chat message that
 * sends it to a person (not one an agent already has: `human_took_over`). The event is keyed on the
 * message it decides, so a redelivered message records (and shows) one.
 */
export function visitorHandoff(item: TimelineItem): VisitorHandoff | undefined {
  if (item.type !== 'event' || item.event !== 'routed' || item.channel !== 'webchat') return undefined;
  const data = item.data ?? {};
  if (!item.conversationId || data.target !== 'human' || data.reason === 'human_took_over') return undefined;
  return {
    conversationId: item.conversationId,
    at: item.at,
    ...(data.afterHours ? { afterHours: true } : {}),
  };
}

/** What the visitor's live socket says of a change to their timeline. */
export type VisitorFrame =
  | { type: 'message'; message: VisitorMessage }
  | { type: 'typing'; by: 'agent' | 'ai'; on: boolean; conversationId?: string }
  | { type: 'handoff'; handoff: VisitorHandoff };

/**
 * The frames one new or changed timeline item makes for its visitor: the message itself, the AI's
 * typing indicator (on when the visitor's message arrives and the AI may answer, off with the answer
 * or the routing decision; not for a survey answer, which nothing routes) and a hand-off to a person, on the item's first write only. `aiAnswers` is false where no routing runs.
 */
export function visitorFrames(
  item: TimelineItem,
  change: { inserted: boolean; aiAnswers: boolean },
): VisitorFrame[] {
  const conversation = item.conversationId ? { conversationId: item.conversationId } : {};
  if (item.type === 'event' && item.event === 'routed') {
    if (!change.inserted) return [];
    const handoff = visitorHandoff(item);
    const typing: VisitorFrame = { type: 'typing', by: 'ai', on: false, ...conversation };
    return handoff ? [typing, { type: 'handoff', handoff }] : [typing];
  }
  const message = visitorMessage(item);
  if (!message) return [];
  const frames: VisitorFrame[] = [{ type: 'message', message }];
  const routed = !isSurveyAnswer(item);
  if (
    message.author === 'visitor' &&
    routed &&
    change.aiAnswers &&
    change.inserted &&
    item.channel === 'webchat'
  ) {
    frames.push({ type: 'typing', by: 'ai', on: true, ...conversation });
  }
  if (message.author === 'ai') frames.push({ type: 'typing', by: 'ai', on: false, ...conversation });
  return frames;
}

/** An agent's typing as the visitor sees it: a label (`agent`), never who. It fades in the panel unless renewed. */
export function agentTypingFrame(conversationId: string): VisitorFrame {
  return { type: 'typing', by: 'agent', on: true, conversationId };
}
