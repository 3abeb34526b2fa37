import * as z from 'zod';
import type { ContactState } from './contact-state.js';
import { ChannelOptionSchema } from './replies.js';
import { contactStateFor } from './sms-opt-out.js';

/** How many of an SMS customer's contact states the channels route reads at most (one Query). */
export const SMS_NUMBER_STATES = 50;

/** Whether our number (or, in `otherNumbers`, any number of ours not listed) may text the customer. */
const NumberOpenSchema = z.object({
  available: z.boolean(),
  /** Why not: the opt-out's words (`opted out (STOP)`). */
  detail: z.string().optional(),
  /** When the opt-out was recorded. */
  at: z.string().optional(),
});

/** One entry per channel of `GET /api/customers/{id}/channels`; SMS's names our numbers too. */
export const ReplyChannelSchema = ChannelOptionSchema.extend({
  /**
   * SMS: our numbers the customer's contact states name (each they texted STOP or START to) and the one
   * a reply goes from (first), each open or blocked (Twilio keeps opt-outs per number of ours).
   */
  numbers: z.array(NumberOpenSchema.extend({ number: z.string() })).optional(),
  /** SMS: any other number of ours: blocked only by an opt-out that named none of them (or came before they were kept per number). */
  otherNumbers: NumberOpenSchema.optional(),
  /** SMS: more states than were read (`SMS_NUMBER_STATES`): `numbers` lists those read. */
  numbersTruncated: z.literal(true).optional(),
  /**
   * WhatsApp, with `needsTemplate`, asked for a `conversation`: the Meta template language code nearest
   * the conversation's language (`pt_BR` for Portuguese from a Brazilian number, `es`; else `en`), what
   * the console's template form starts with.
   */
  templateLanguage: z.string().optional(),
});
export type ReplyChannel = z.infer<typeof ReplyChannelSchema>;

const openness = (state: ContactState | undefined) =>
  state?.blocked ? { available: false, detail: state.reason, at: state.at } : { available: true };

/**
 * Which of our numbers may text the customer, by their contact states (`contactStateFor`, as a reply
 * from each would be checked): `from`, the number a reply goes from, first; then every number of ours
 * the states name, in order; and what any other number of ours meets.
 */
export function smsNumbers(
  states: readonly ContactState[],
  from: string | undefined,
  complete: boolean,
): Pick<ReplyChannel, 'numbers' | 'otherNumbers' | 'numbersTruncated'> {
  const named = [...new Set(states.flatMap((s) => (s.number && s.number !== from ? [s.number] : [])))].sort();
  const numbers = [...(from ? [from] : []), ...named].map((number) => ({
    number,
    ...openness(contactStateFor(states, number)),
  }));
  // A number no state names meets only the address's own state (a block of every number of ours).
  const other = states.filter((s) => s.number === undefined);
  return {
    numbers,
    otherNumbers: openness(contactStateFor(other, '')),
    ...(complete ? {} : { numbersTruncated: true as const }),
  };
}
