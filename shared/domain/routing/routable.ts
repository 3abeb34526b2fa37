import { isContactKeyword, isEmptyRecording } from '../asks-nothing.js';
import type { TimelineItem } from '../timeline.js';
import type { InboundKind } from './decision.js';

/** The AI's id as an author of replies, notes and assignments. */
export const AI_AUTHOR_ID = 'responder';

/** The timeline id of the routing decision of an item. */
export const routeItemId = (itemId: string) => `route:${itemId}`;

/** The item a routing decision's timeline id (`routeItemId`) decides; undefined for any other id. */
export const decidedItemId = (id: string): string | undefined =>
  id.startsWith('route:') ? id.slice('route:'.length) : undefined;

/** The id of the note a hand-off writes for an item (its timeline item's id is `note:<this>`). */
export const handoffNoteId = (itemId: string) => `handoff:${itemId}`;

/**
 * Whether an item is something to route: an inbound customer message or a voicemail left on an
 * inbound call. Mail that failed the spam, virus or DMARC checks, auto-replies, SMS keywords the
 * contact state takes (STOP, START, HELP: `isContactKeyword`), the provider's notices (Meta's handover
 * events, optins: `data.notice`), a message in standby (another app holds the thread: `data.standby`),
 * a lone ad or link referral (`data.context`), a like sent alone (`data.like`)
 * and a voicemail hung up at the beep
 * (`isEmptyRecording`) are kept but routed nowhere. The resolver asks it of the item it wrote, the
 * router of the item it is given.
 */
export function routableKind(item: TimelineItem): InboundKind | undefined {
  if (item.type === 'message' && item.direction === 'inbound') {
    if (item.data?.quarantined === true || item.data?.autoReply === true) return undefined;
    // Mail a system sent for a person (a ticketing system's, a group's: `automated`) waits for a person.
    if (item.data?.automated === true || item.data?.listMail === true) return undefined;
    if (isContactKeyword(item)) return undefined;
    // The provider's news about the thread (a handover event, an optin: `isProviderNotice`) asks nothing.
    if (item.data?.notice === true) return undefined;
    // Come in standby: the app that holds the thread answers it (`isStandby`).
    if (item.data?.standby === true) return undefined;
    // A like sent alone (Messenger's thumbs-up, Instagram's heart: `isLike`) acknowledges, asks nothing.
    if (typeof item.data?.like === 'string') return undefined;
    // The ad or link the customer followed, with no message (`isContext`): their next message asks.
    if (item.data?.context === true) return undefined;
    // Unauthenticated mail (DMARC failed, or SPF and DKIM both did) is left to a person: the AI never answers it.
    if (item.data?.authenticated === false) return undefined;
    return 'message';
  }
  if (item.type === 'event' && item.event === 'call_voicemail' && item.direction === 'inbound') {
    return isEmptyRecording(item.data?.durationSeconds) ? undefined : 'voicemail';
  }
  return undefined;
}
