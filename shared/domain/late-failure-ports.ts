import type { OwedHandOff } from './waiting.js';

/** The hand-off a failed AI answer owes as the conversation holds it, and the customer's wait. */
export interface HandOffRecord {
  recorded: boolean;
  owed: OwedHandOff | undefined;
  waitingSince: string | undefined;
}

/**
 * What brings back the wait a reply the provider took, then reported failed, had ended, and makes the
 * hand-off the AI's answer then owes (the resolver's, for a `failed` status; the sender's, for one that
 * came before it recorded the send).
 */
export interface LateFailureStore {
  /**
   * A reply the provider took failed later (`failed`, its time as an answer): the wait starts again from
   * `at` if it was the conversation's last answer and none reached the customer after it (conditional,
   * on an open conversation). True when it did. With `handOff` (the AI's answer), the same write
   * records the hand-off the wait owes (`owedHandOff`).
   */
  startWaitingAfterFailure?(
    conversationId: string,
    at: string,
    failed: string,
    handOff?: OwedHandOff,
  ): Promise<boolean>;
  /**
   * The same reply's conversation was resolved after it: reopened (its `reopened` event by the
   * delivery), if the resolve came after the reply, no later answer was recorded and the customer has
   * not written since (conditional), then waiting from `at` as above. True when it reopened.
   */
  reopenAfterFailure?(
    conversationId: string,
    at: string,
    failed: string,
    now: string,
    handOff?: OwedHandOff,
  ): Promise<boolean>;
  /**
   * The hand-off the failed AI answer written at `answer` owes, recorded by the write that brought its
   * wait back and not made yet (a crash came between): one strong read.
   */
  owedHandOff?(conversationId: string, answer: string): Promise<OwedHandOff | undefined>;
  /**
   * What the conversation holds of the hand-off the failed AI answer written at `answer` owes (one
   * strong read): `recorded` (owed or made already), the hand-off still `owed`, and the customer's wait
   * (`waitingSince`), so a late failure writes one only while a wait runs and none is recorded.
   */
  handOffRecord?(conversationId: string, answer: string): Promise<HandOffRecord>;
  /**
   * The AI's answer refused at the send while the wait of its message (`at`) still runs (`failed`, the
   * answer's time as an answer): no wait comes back, the hand-off is recorded owed all the same, once
   * (conditional: that wait runs, no answer was sent since, none recorded for this answer). True when it was.
   */
  oweHandOffWhileWaiting?(
    conversationId: string,
    at: string,
    failed: string,
    handOff: OwedHandOff,
  ): Promise<boolean>;
  /** That hand-off is made: its mark says so (conditional). */
  handOffMade?(conversationId: string, answer: string): Promise<void>;
}
