import type { Identity } from './envelope.js';
import type { OutboundMessage, SendResult } from './outbound.js';
import type { ContactState } from './resolver-ports.js';

/** What the sender needs from storage. */
export interface SenderStore {
  claimSend(message: OutboundMessage, now: Date, leaseMs: number): Promise<'claimed' | 'sent' | 'busy'>;
  /** Lets go of a lease written by this holder (`leaseUntil`), which will not send: a no-op otherwise. */
  releaseSend(message: OutboundMessage, leaseUntil: string): Promise<void>;
  /** Whether the customer is erased or being erased: a reply to them is dropped, not sent. */
  customerGone?(customerId: string): Promise<boolean>;
  /** Records the send; answers true when a `failed` status came first (the reply stands at `failed`). */
  recordSent(message: OutboundMessage, result: SendResult, at: string): Promise<boolean>;
  /** An answer reached the customer (`at` its time): the conversation stops waiting, unless they wrote since. */
  markAnswered?(conversationId: string, at: string): Promise<void>;
  /**
   * The customer's message at `at` is unanswered after all (an AI answer, recorded at `failed`, never
   * went out): they wait again from it.
   */
  startWaiting?(conversationId: string, at: string, failed?: string): Promise<void>;
  /** A reply the provider took failed later (`failed`, its time as an answer): see `ResolverStore`. */
  startWaitingAfterFailure?(conversationId: string, at: string, failed: string): Promise<boolean>;
  /** Its conversation was resolved after it: reopened, as `ResolverStore` says. */
  reopenAfterFailure?(conversationId: string, at: string, failed: string, now: string): Promise<boolean>;
  /** A first response that never reached the customer is taken back: see `ResolverStore`. */
  takeBackFirstResponse?(conversationId: string, at: string): Promise<boolean>;
  /** Records a contact state of an address (a refusal that says the customer texted STOP): see `ResolverStore`. */
  setContactState?(identity: Identity, state: ContactState): Promise<void>;
  recordSendFailure(
    message: OutboundMessage,
    reason: { code: string; message: string },
    at: string,
  ): Promise<void>;
}
