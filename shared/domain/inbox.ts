import * as z from 'zod';
import { type Channel, IdentitySchema } from './envelope.js';
import { ConversationSchema, type Customer } from './timeline.js';

/** The inbox orders: longest waiting first (the default), or soonest SLA deadline first. */
export const INBOX_SORTS = ['waiting', 'due'] as const;
/** An inbox order. */
export type InboxSort = (typeof INBOX_SORTS)[number];

/**
 * What the inbox can be filtered by: a status, and optionally an assignee, a queue or a channel; and
 * its order (`due` lists only the conversations with a pending SLA deadline).
 */
export interface InboxFilter {
  status: string;
  sort?: InboxSort | undefined;
  assignee?: string | undefined;
  queue?: string | undefined;
  /** Any of these queues (taking waiting work: the agent's queues); not an API filter. */
  queues?: readonly string[] | undefined;
  channel?: Channel | undefined;
}

/** Who a conversation of the inbox is with, read with the page so a list needs no read per row. */
export const CustomerSummarySchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  /** The first identity, for a customer without a name. */
  identity: z.optional(IdentitySchema),
});
export type CustomerSummary = z.infer<typeof CustomerSummarySchema>;

/** A conversation as the inbox lists it: with its customer's summary (absent when erased or missing). */
export const InboxConversationSchema = ConversationSchema.extend({
  waiting: z
    .boolean()
    .describe(
      'the customer waits for an answer: open, with a message after the last reply sent (`waitingSince`); answered ones list after every waiting one',
    ),
  customer: CustomerSummarySchema.optional().describe(
    "the customer's id, name and first identity, read with the page; absent when the profile is gone",
  ),
});
export type InboxConversation = z.infer<typeof InboxConversationSchema>;

/** The summary the inbox shows of a customer. */
export function customerSummary(customer: Customer): CustomerSummary {
  const identity = customer.identities[0];
  return {
    id: customer.id,
    ...(customer.name !== undefined ? { name: customer.name } : {}),
    ...(identity ? { identity } : {}),
  };
}
