import type { TimelineItem } from '#shared/domain/timeline.js';
import { clock } from './format.js';

/**
 * What a customer did to one of the messages shown: deleted (unsent) it, edited it (the newest text),
 * reacted to it (the reaction standing now, none once removed); and what a colleague did to it from the
 * business's own app (`TeamAct`).
 */
export interface MessageActs {
  deleted?: true;
  /** Unsent by a colleague from the business's own app (Instagram's `is_deleted` echo): our message. */
  unsent?: true;
  /** A colleague's reaction from the business's own app, standing now (none once removed). */
  teamReaction?: { emoji: string; at: string } | undefined;
  teamReactedAt?: string;
  edited?: { text?: string | undefined; at: string };
  reaction?: { emoji: string; at: string } | undefined;
  /** When the reaction standing now was set or removed: a later act wins, whatever order they came in. */
  reactedAt?: string;
}

/** The acts on the messages shown, and the messages by provider id (what a reply quotes). */
export interface Acts {
  on(item: TimelineItem): MessageActs | undefined;
  /** The message a reply quotes or an act names, when it is among those shown. */
  message(channel: string | undefined, providerMessageId: string | undefined): TimelineItem | undefined;
  /**
   * Whether a voicemail of the call (by its id) is among the items read, an empty one too (it reads as
   * the missed call itself); undefined when that is not known (an item shown on its own).
   */
  voicemailLeft(callId: string | undefined): boolean | undefined;
}

const key = (channel: string | undefined, id: string | undefined) =>
  channel && id ? `${channel}:${id}` : undefined;

/** Folds one act into what is known of its message, the later act winning (they may come in any order). */
function fold(acts: MessageActs, item: TimelineItem): MessageActs {
  switch (item.event) {
    case 'delete':
      return { ...acts, deleted: true };
    case 'edit':
      return acts.edited && acts.edited.at > item.at
        ? acts
        : { ...acts, edited: { text: item.text, at: item.at } };
    case 'reaction':
    case 'reaction_removed': {
      if (acts.reactedAt && acts.reactedAt > item.at) return acts;
      const reaction =
        item.event === 'reaction' && item.emoji ? { emoji: item.emoji, at: item.at } : undefined;
      return { ...acts, reaction, reactedAt: item.at };
    }
    default:
      return acts;
  }
}

/**
 * What a colleague did from the business's own app (the Page inbox, Instagram) to a message of the
 * thread, kept as an outbound `unsupported` message (`businessAct` in the Meta normaliser): a reaction
 * (`data.reaction`: Meta's `{mid, action, emoji, reaction}`), an unsend (`data.delete`), an edit.
 */
export interface TeamAct {
  kind: 'reaction' | 'reaction_removed' | 'unsend' | 'edit';
  targetMessageId: string | undefined;
  emoji?: string | undefined;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** The colleague's act an item holds, or undefined for any other item. */
export function teamActOf(item: TimelineItem): TeamAct | undefined {
  if (item.type !== 'message' || item.direction !== 'outbound' || item.contentType !== 'unsupported')
    return undefined;
  const d = item.data ?? {};
  const detail = (d[String(d.unsupportedType)] ?? {}) as Record<string, unknown>;
  switch (d.unsupportedType) {
    case 'reaction': {
      const removed = detail.action === 'unreact';
      const emoji = str(detail.emoji) ?? str(detail.reaction);
      return { kind: removed ? 'reaction_removed' : 'reaction', targetMessageId: str(detail.mid), emoji };
    }
    case 'delete':
      return { kind: 'unsend', targetMessageId: str(detail.targetMessageId) };
    case 'edit':
      return { kind: 'edit', targetMessageId: str(detail.targetMessageId) };
    default:
      return undefined;
  }
}

/** Folds a colleague's act into what is known of its message, the later reaction winning. */
function foldTeam(acts: MessageActs, act: TeamAct, at: string): MessageActs {
  if (act.kind === 'unsend') return { ...acts, unsent: true };
  if (act.kind === 'edit' || (acts.teamReactedAt && acts.teamReactedAt > at)) return acts;
  const teamReaction = act.kind === 'reaction' && act.emoji ? { emoji: act.emoji, at } : undefined;
  return { ...acts, teamReaction, teamReactedAt: at };
}

/**
 * The customer's deletions, edits and reactions gathered onto the messages they name (by channel and
 * provider id), from the items read so far: an act whose message is on an earlier page applies when
 * that page is read, and one read before its message (they come in any order) applies when it comes.
 */
export function customerActs(items: readonly TimelineItem[]): Acts {
  const messages = new Map<string, TimelineItem>();
  const acts = new Map<string, MessageActs>();
  const voicemails = new Set<string>();
  for (const item of items) {
    if (item.event === 'call_voicemail' && item.providerMessageId) voicemails.add(item.providerMessageId);
    if (item.type === 'message') {
      const k = key(item.channel, item.providerMessageId);
      if (k) messages.set(k, item);
      const team = teamActOf(item);
      const target = team && key(item.channel, team.targetMessageId);
      if (team && target) acts.set(target, foldTeam(acts.get(target) ?? {}, team, item.at));
      continue;
    }
    const k = item.type === 'event' ? key(item.channel, item.targetMessageId) : undefined;
    if (!k) continue;
    const next = fold(acts.get(k) ?? {}, item);
    if (next !== acts.get(k)) acts.set(k, next);
  }
  return {
    on: (item) => {
      const k = key(item.channel, item.providerMessageId);
      const found = k ? acts.get(k) : undefined;
      // Redacted in the store: deleted whether or not its deletion is among the items read.
      return item.deleted ? { ...found, deleted: true } : found;
    },
    message: (channel, id) => {
      const k = key(channel, id);
      return k ? messages.get(k) : undefined;
    },
    voicemailLeft: (callId) => callId !== undefined && voicemails.has(callId),
  };
}

/** No acts: for an item shown on its own. */
export const NO_ACTS: Acts = {
  on: () => undefined,
  message: () => undefined,
  voicemailLeft: () => undefined,
};

/**
 * A few words of a message to name it by (`“Is the blue dress…”`), or undefined when it has no text or
 * was deleted: a deleted message's words are never repeated.
 */
export function quoteOf(message: TimelineItem | undefined, acts: Acts, max = 60): string | undefined {
  if (!message || acts.on(message)?.deleted) return undefined;
  const words = acts.on(message)?.edited?.text ?? message.text ?? '';
  const text = words
    .slice(0, max * 4)
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return undefined;
  const chars = [...text];
  return `“${chars.length > max ? `${chars.slice(0, max).join('')}…` : text}”`;
}

/**
 * What a message's "edited" mark says: when its newest edit was, and the text before it; none for a
 * message stored with an edit that came before it (`editedAt`, the text shown is that edit's) and edited
 * no later: the text before it is not kept. Undefined for a message not edited.
 */
export function editedMark(
  item: TimelineItem,
  acts: MessageActs | undefined,
): { at: string; before?: string } | undefined {
  const at = acts?.edited?.at ?? item.editedAt;
  if (at === undefined) return undefined;
  if (item.editedAt !== undefined && at <= item.editedAt) return { at };
  return { at, before: item.text ?? '(no text)' };
}

/**
 * A colleague's act from the business's own app, in words, naming the message when it is shown: "Your
 * team reacted 👍 to “Do you restock…”", "Your team unsent their message of 10:02".
 */
export function teamActText(act: TeamAct, channel: string | undefined, acts: Acts): string {
  const target = acts.message(channel, act.targetMessageId);
  const words = target?.direction === 'inbound' ? quoteOf(target, acts) : undefined;
  switch (act.kind) {
    case 'reaction':
      return `Your team reacted ${act.emoji ?? ''}${words ? ` to ${words}` : ''} (from the app)`;
    case 'reaction_removed':
      return `Your team removed a reaction${words ? ` from ${words}` : ''} (from the app)`;
    case 'unsend':
      return target ? `Your team unsent their message of ${clock(target.at)}` : 'Your team unsent a message';
    default:
      return 'Your team edited a message (from the app)';
  }
}
