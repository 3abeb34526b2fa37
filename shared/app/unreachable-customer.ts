import { placedReplyAt } from '../domain/replies.js';
import { replyCandidates } from '../domain/reply-channel.js';
import type { RouterAdmin } from '../domain/router-ports.js';
import { AI_AUTHOR_ID, handoffNoteId } from '../domain/routing/routable.js';
import type { Routing } from './read-routing.js';

/** What the agent reads on the timeline beside a message no channel can answer. */
export const OPTED_OUT_NOTE =
  'The customer opted out of SMS (STOP): no channel can take a reply. They can text START to opt back in.';

/** What the agent reads beside a STOP that ended the customer's wait for an answer. */
export const OPTED_OUT_WHILE_WAITING_NOTE =
  'The customer opted out of SMS (STOP) while waiting for an answer: no channel can take a reply, so nobody waits for one. They can text START to opt back in.';

/** What the agent reads when Twilio refused the AI's answer for a STOP (21610) and no other channel can take one. */
export const OPTED_OUT_AT_SEND_NOTE =
  "The customer opted out of SMS: Twilio refused the AI's answer (error 21610, the number texted STOP). No channel can take a reply, so nobody waits for one. They can text START to opt back in.";

/** What the hand-off note says of an SMS Twilio refused for a STOP, when another channel can take the answer. */
export const SMS_REFUSED_REASON =
  '21610: SMS refused, the customer opted out (STOP); answer them on another channel';

/**
 * Whether SMS is the only channel a reply to the customer could take (`replyCandidates`, what
 * `GET /api/customers/{id}/channels` checks; a call is answered by SMS): their STOP leaves them
 * reachable on none. A customer who also wrote on another channel can be answered there.
 */
export function smsOnly(
  root: Parameters<typeof replyCandidates>[0],
  profiles: Parameters<typeof replyCandidates>[1],
): boolean {
  return replyCandidates(root, profiles).every((channel) => channel === 'sms');
}

/**
 * Whether the AI's reply, refused with `code`, leaves the customer reachable on no channel: SMS refused
 * for their STOP, and SMS the only channel a reply could take (`smsOnly`). A customer who also wrote on
 * another channel is handed to a person, who can answer there.
 */
export function unreachableAfter(routing: Pick<Routing, 'customer' | 'profiles'>, code: string): boolean {
  return code === 'sms_opted_out' && smsOnly(routing.customer, routing.profiles);
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
