import type { Identity } from './envelope.js';
import type { LateFailureStore } from './late-failure-ports.js';
import type { OutboundMessage, SendResult } from './outbound.js';
import type { ContactState } from './resolver-ports.js';
import type { Customer } from './timeline.js';
import type { OwedHandOff } from './waiting.js';

/** What a claim found (see `claimSend`). */
export type SendClaim =
  | 'claimed'
  | 'retry'
  | 'sent'
  | 'failed'
  | 'busy'
  | { unsettled: string }
  | { refused: string | undefined }
  | { movedTo: string; conversationId?: string };

/** What the sender needs from storage. */
export interface SenderStore {
  /**
   * Claims the reply for `leaseMs`: `sent` when it went out already, `refused` (the reason's code)
   * when a sender recorded it failed for good, `retry` (claimed, its status back to `queued`) when a
   * sender gave up on it after retries (`recordSendFailure` with `gaveUp`: a redrive), `failed` when the
   * provider took it, the send was recorded and a status reported it failed, `busy` while another
   * holds it; `unsettled` when a provider's status recorded its provider id while a sender held it and
   * that sender's lease ran out without recording the send (it died after the provider call);
   * `movedTo` (nothing claimed) when an unmerge moved the reply, written while the customer its address
   * belongs to was merged, back to that customer: the reply is theirs now, to claim in their partition,
   * its answer that of their open conversation (`conversationId`, when they have one).
   */
  claimSend(message: OutboundMessage, now: Date, leaseMs: number): Promise<SendClaim>;
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
  startWaiting?(
    conversationId: string,
    at: string,
    failed?: string,
    receivedAt?: undefined,
    handOff?: OwedHandOff,
  ): Promise<unknown>;
  /** A reply the provider took failed later (`failed`, its time as an answer): see `LateFailureStore`. */
  startWaitingAfterFailure?: LateFailureStore['startWaitingAfterFailure'];
  /** Its conversation was resolved after it: reopened, as `LateFailureStore` says. */
  reopenAfterFailure?: LateFailureStore['reopenAfterFailure'];
  /** The hand-off a failed AI answer's wait owes, and its making: see `LateFailureStore`. */
  owedHandOff?: LateFailureStore['owedHandOff'];
  handOffMade?: LateFailureStore['handOffMade'];
  oweHandOffWhileWaiting?: LateFailureStore['oweHandOffWhileWaiting'];
  /** A first response that never reached the customer is taken back: see `ResolverStore`. */
  takeBackFirstResponse?(conversationId: string, at: string): Promise<boolean>;
  /** Ends the wait from `since` nobody can answer (see `ResolverStore`): the AI's SMS refused for a STOP. */
  dropUnreachableWait?(conversationId: string, since: string): Promise<void>;
  /** The customer's merged profiles (`ReplyStore`): read when Twilio refused the AI's SMS for a STOP. */
  mergedCustomers?(customerId: string): Promise<{ partitions: string[]; customers: Customer[] }>;
  /** Records a contact state of an address (a refusal that says the customer texted STOP): see `ResolverStore`. */
  setContactState?(identity: Identity, state: ContactState): Promise<void>;
  /**
   * Records the reply `failed`; `gaveUp` when the sender ran out of attempts on a failure that may pass
   * (not the provider's refusal): a later delivery of it (a redrive) claims it again (`retry`).
   */
  recordSendFailure(
    message: OutboundMessage,
    reason: { code: string; message: string },
    at: string,
    gaveUp?: boolean,
  ): Promise<void>;
}
