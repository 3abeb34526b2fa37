import * as z from 'zod';
import { type Identity, IdentityKindSchema } from './envelope.js';

/** A merge suggestion as agents see it: two customers who may be one person, and why. */
export const SuggestionSchema = z.object({
  customerId: z.string(),
  otherId: z.string(),
  status: z.enum(['open', 'dismissed', 'accepted']),
  createdAt: z.string(),
  evidence: z.array(
    z.object({
      id: z.string(),
      identity: z.object({ kind: IdentityKindSchema, value: z.string() }),
      /**
       * `typed_in_chat`: an email an anonymous web-chat visitor typed in the pre-chat form. Unverified:
       * anyone may type anyone's address there.
       */
      reason: z.enum(['mentioned', 'same_payload', 'same_thread', 'typed_in_chat']),
      at: z.string(),
      envelopeId: z.string(),
      /** For `same_thread`: the conversation whose email thread the mail answered. */
      conversationId: z.string().optional(),
    }),
  ),
  /** How many more pieces of evidence were seen than are listed (the first 20 are kept), if any. */
  moreEvidence: z.number().int().positive().optional(),
});
/** A merge suggestion as agents see it. */
export type Suggestion = z.infer<typeof SuggestionSchema>;

/** Why two customers may be one person. */
export interface SuggestionEvidence {
  /** Deterministic id of this piece of evidence, so a redelivery adds nothing. */
  id: string;
  identity: Identity;
  /**
   * Written in a message, in the same provider payload, mail in the thread of the other's conversation,
   * or typed by an anonymous web-chat visitor in the pre-chat form (unverified: anyone may type it).
   */
  reason: 'mentioned' | 'same_payload' | 'same_thread' | 'typed_in_chat';
  at: string;
  envelopeId: string;
  /** For `same_thread`: the other customer's conversation whose thread the mail answered. */
  conversationId?: string | undefined;
}
