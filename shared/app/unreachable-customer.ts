import { placedReplyAt } from '../domain/replies.js';
import { replyCandidates } from '../domain/reply-channel.js';
import type { RouterAdmin } from '../domain/router-ports.js';
import { AI_AUTHOR_ID, handoffNoteId } from '../domain/routing/routable.js';
import type { Routing } from './read-routing.js';

/** What the agent reads on the timeline beside a message no channel can answer. */
export const OPTED_OUT_NOTE =
  'The customer opted out of SMS (STOP): no channel can take a reply. They can text START to opt back in.';

/**
 * Whether the AI's reply, refused with `code`, leaves the customer reachable on no channel: SMS refused
 * for their STOP, and nothing else among the channels a reply could take (`replyCandidates`, what
 * `GET /api/customers/{id}/channels` checks; a call is answered by SMS). A customer who also wrote on
 * another channel is handed to a person, who can answer there.
 */
export function unreachableAfter(routing: Pick<Routing, 'customer' | 'profiles'>, code: string): boolean {
  if (code !== 'sms_opted_out') return false;
  return replyCandidates(routing.customer, routing.profiles).every((channel) => channel === 'sms');
}

/**
 * Notes on the timeline, right after the message, that no channel can answer it: keyed on the item as a
 * hand-off note is, so a redelivery writes it once.
 */
export function noteUnreachable(admin: Pick<RouterAdmin, 'addNote'>, routing: Routing): Promise<unknown> {
  const { conversationId, item } = routing;
  return admin.addNote(
    conversationId,
    OPTED_OUT_NOTE,
    AI_AUTHOR_ID,
    placedReplyAt(item.at),
    handoffNoteId(item.id),
    'ai',
  );
}
