import { DELETABLE_CHANNELS, DELETION_MARKER_TTL_MS } from './deletion.js';
import type { Channel } from './envelope.js';
import type { TimelineItem } from './timeline.js';

/**
 * How long after its message a customer's edit may be timed: WhatsApp, Messenger and Instagram allow
 * edits for 15 minutes; the rest is room for clocks. An edit looks for its message this far back of its
 * own time, and a message for the edits held for it this far after its own.
 */
export const EDIT_WINDOW_MS = 60 * 60 * 1000;

/**
 * How long an edit that came before its message is waited for (from its time, its identity's mark
 * `editHeldAt`): as long as a deletion that came first is, a provider retrying a delivery for a week.
 */
export const EDIT_HOLD_MS = DELETION_MARKER_TTL_MS;

/**
 * Whether an inbound message must look for an edit held for it: an edit from the same sender came
 * before its message and marked their identity with its time (`editHeldAt`, the newest such edit's),
 * the message is timed at or before it (a message comes before its edit; a second more for a clock), and
 * the mark has not expired. A later message of the sender looks for nothing.
 */
export function editsHeld(
  envelope: { kind: string; direction?: string; channel: Channel; occurredAt: string; receivedAt: string },
  heldAt: string | undefined,
): boolean {
  if (envelope.kind !== 'message' || envelope.direction !== 'inbound' || heldAt === undefined) return false;
  if (!DELETABLE_CHANNELS.has(envelope.channel)) return false;
  const held = Date.parse(heldAt);
  return (
    Date.parse(envelope.occurredAt) <= held + 1000 && Date.parse(envelope.receivedAt) < held + EDIT_HOLD_MS
  );
}

/** An edit as a message it was held for takes it: the text it was edited to, and its time. */
export interface HeldEdit {
  text?: string | undefined;
  at: string;
}

/** The message as it is stored when an edit of it came first: the edit's text, `editedAt` its time. */
export function withHeldEdit(item: TimelineItem, edit: HeldEdit): TimelineItem {
  const { text: _text, ...kept } = item;
  return { ...kept, ...(edit.text !== undefined ? { text: edit.text } : {}), editedAt: edit.at };
}

/** What an identity item says of edits from it that came before their message. */
export interface EditMark {
  /** The time of the newest edit from this identity that came before its message, held for it (`editsHeld`). */
  editHeldAt?: string | undefined;
}

/** What the placement of a customer's edit says, beside the item's place. */
export interface EditPlacement {
  /** The edit names a message linked to another customer: nothing was written. */
  notTheirs?: boolean | undefined;
  /** Its message is not on the customer's timeline (yet): written `held`, no `message.edited`. */
  held?: boolean | undefined;
}

/** The store's read of the edit held for a message that came after it. */
export interface HeldEditStore {
  /**
   * The inbound message with the text of the newest edit of it held for it (`editedAt` its time), or as
   * it is: bounded reads, asked only while its identity is marked and the message is timed before (`editsHeld`).
   */
  withEditHeld?(message: TimelineItem): Promise<TimelineItem>;
}
