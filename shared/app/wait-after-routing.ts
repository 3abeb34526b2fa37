import type { TrackClock } from '../domain/clock-ports.js';
import type { Clock } from '../domain/ports.js';
import type { ResolverStore } from '../domain/resolver-ports.js';
import type { Conversation } from '../domain/timeline.js';
import {
  aiAnswered,
  clockStart,
  type LateFailureWait,
  mayStartWaiting,
  routedElsewhere,
  unreachable,
} from '../domain/waiting.js';
import {
  makeOwedHandOff,
  owedAfterLateFailure,
  type UndeliveredAnswerHandOff,
} from './undelivered-answer.js';

/** The customer's event as the resolver's touch left its conversation. */
export interface TouchedForWaiting {
  conversationId: string;
  /** The event's time. */
  at: string;
  /** When the resolver first received it, when later (`firstReceipt`): an answer made before did not answer it. */
  receivedAt?: string | undefined;
  inbound: boolean;
  /** The conversation as the touch left it, when the event was its latest. */
  asTouched: Conversation | undefined;
  /** The touch left it out of the inbox (`listLater`): routing's outcome lists it. */
  unlisted: boolean;
  /** It had its first response as touched, so an AI answer to this event lists nothing. */
  firstResponded: boolean;
  /**
   * An answer or the conversation's start came after it (`TouchedConversation.overtaken`), or the resolve
   * it reopened after (a late message, `receivedAt` on its item): its clock starts at `arrivedAt` (`clockStart`).
   */
  overtaken?: boolean | undefined;
  /** When our webhook took it (`Envelope.receivedAt`, kept by the queue's redeliveries). */
  arrivedAt?: string | undefined;
}

/**
 * Routes the customer's event, then settles the conversation's wait: a message the AI did not answer
 * starts one (unless one runs, or an answer as new was recorded), and a conversation its opening touch
 * left unlisted goes in the inbox at the place it keeps, unless the AI's first response listed it
 * (`recordFirstResponse`). A message no channel can answer (`unreachable`: the customer opted out of SMS)
 * starts no wait, and ends the one its touch started when it opened the conversation. Routing failed: listed all the same (the customer waits), then the error goes
 * on and the redelivery routes it again. A twin delivery that left routing to the one that wrote the
 * item (`routedElsewhere`) settles nothing: that one does, on its outcome. Answers routing's outcome.
 */
export async function routeThenWait(
  store: Pick<ResolverStore, 'startWaiting' | 'listInInbox' | 'dropUnreachableWait'>,
  touched: TouchedForWaiting,
  route: () => Promise<unknown>,
): Promise<unknown> {
  let routed: unknown;
  try {
    routed = await route();
  } catch (error) {
    if (touched.unlisted) await store.listInInbox?.(touched.conversationId);
    throw error;
  }
  if (routedElsewhere(routed)) return routed;
  const answered = aiAnswered(routed);
  const { conversationId, at, receivedAt, inbound, asTouched } = touched;
  const waits = !answered && !unreachable(routed);
  // Nobody can answer it: the wait its opening touch started goes (a late reopen's: from our receipt).
  const own = asTouched?.waitingSince;
  if (inbound && unreachable(routed) && own !== undefined && [at, clockStart(touched)].includes(own)) {
    await store.dropUnreachableWait?.(conversationId, own);
  }
  if (inbound && store.startWaiting && waits && mayStartWaiting(asTouched, at, receivedAt)) {
    // Overtaken by an answer made before we had it, or by the conversation's start: from our webhook's
    // receipt (a delivery that crashed and came back hours later does not shorten the customer's wait).
    await store.startWaiting(conversationId, clockStart(touched), undefined, receivedAt);
  }
  if (touched.unlisted && !(answered && !touched.firstResponded)) await store.listInInbox?.(conversationId);
  return routed;
}

/**
 * Tells the conversation clock of the customer's message (after routing and its wait): with the
 * conversation as the message's write left it (`seen`) when it is the message's, whether it reopened
 * it, and whether it is the customer's first word in it (`firstWord`: a customer who never spoke, in
 * the conversation a call's ringing or a reaction opened for them). A message routing found no channel
 * can answer (`routed`, `unreachable`) starts no response target: the clock hears that nobody can
 * answer it, and counts the silence auto-resolve from it, as from an answer.
 */
export async function tellClockOfMessage(
  track: TrackClock | undefined,
  touched: TouchedForWaiting,
  told: {
    seen: Conversation | undefined;
    reopened: boolean | undefined;
    firstWord: boolean;
    routed?: unknown;
    /** Mail a system sent for a person (`data.automated`): no automation fires on it. */
    automated?: boolean;
  },
): Promise<void> {
  if (!track) return;
  const { conversationId, at, receivedAt, arrivedAt } = touched;
  if (unreachable(told.routed)) return track({ type: 'unreachable', conversationId, at });
  await track({
    type: 'inbound',
    conversationId,
    at,
    ...(receivedAt !== undefined ? { receivedAt } : {}),
    // Overtaken: its targets run from our webhook's receipt, as its wait does (`clockStart`).
    ...(touched.overtaken && arrivedAt !== undefined ? { arrivedAt, overtaken: true } : {}),
    conversation: told.seen?.id === conversationId ? told.seen : undefined,
    ...(told.reopened ? { reopened: true } : {}),
    ...(told.firstWord ? { firstWord: true } : {}),
    ...(told.automated ? { automated: true } : {}),
  });
}

/**
 * A reply the provider took, then reported failed: when it answered the customer (`lateFailureWait`,
 * `lateFailureWaitOf`), the wait it ended starts again, if it is still the conversation's last answer.
 * A conversation resolved after it (answer, resolve, next) is reopened (`reopenAfterFailure`: the
 * customer never got the answer it was resolved on) and waits the same way; tried only when the open
 * case's write did not apply, so an open conversation that waits again costs what it did. Called
 * whenever the reply stands at `failed`, so a redelivered status completes what a crash left undone
 * (the reopen's event, profile and assignee's count, or the wait); called twice, it repeats nothing.
 * The resolver calls it for a `failed` status, the sender for one that came before it recorded the send.
 * With `track`, the conversation clock hears of it too (`unanswered`): the resolver's status path, and
 * the sender's. A first response it was is taken back (`takeBackFirstResponse`) when its wait comes back
 * (not when an answer reached the customer after it): the next answer is the first response; a run
 * that died between the two writes leaves it to the next, which tries it (its condition decides). The AI's
 * answer's wait come back, a person is handed the conversation (`handOff`, the provider's reason): the
 * write that brings the wait back records the hand-off it owes (`OwedHandOff`), taken off once made, so
 * a run that died between the two leaves it to the next (a redelivered status, the sender's retry),
 * which finds it (one strong read when its own write did not apply) and makes it, once, at the time
 * recorded. A wait that never ended (the customer wrote again between the answer's write and its send,
 * so the send ended none; it still runs from the message the answer answered or before) does not come
 * back: the hand-off is recorded owed by a write of its own (`owedAfterLateFailure`), as for an answer
 * refused at the send; only the AI's, only when the wait's own write did not apply.
 */
export async function waitAgainAfterFailure(
  store: Pick<
    ResolverStore,
    | 'startWaitingAfterFailure'
    | 'reopenAfterFailure'
    | 'takeBackFirstResponse'
    | 'handOffRecord'
    | 'oweHandOffWhileWaiting'
    | 'handOffMade'
  >,
  wait: LateFailureWait | undefined,
  clock: Clock,
  track?: TrackClock | undefined,
  handOff?: { to: UndeliveredAnswerHandOff | undefined; reason: string | undefined },
): Promise<void> {
  if (!wait || !store.startWaitingAfterFailure) return;
  const { conversationId, at, answered, written } = wait;
  const to = wait.byAi ? handOff?.to : undefined;
  const owes = to ? { answer: written, at: clock.now().toISOString() } : undefined;
  const waitsAgain =
    (await store.startWaitingAfterFailure(conversationId, at, answered, owes)) ||
    (await store.reopenAfterFailure?.(
      conversationId,
      at,
      answered,
      owes?.at ?? clock.now().toISOString(),
      owes,
    ));
  // Owed by this run's write, by one of its own while the wait still runs (the customer wrote again
  // before the send, which then ended none), or by an earlier run's that died before the hand-off.
  const owed = await owedAfterLateFailure(store, wait, waitsAgain === true, owes);
  // The wait it ended is back: if it was the first response, it was none (the next answer is). With no
  // hand-off owed to tell a redelivery so (an agent's answer), it is tried whenever the wait is not
  // back by this run: a run that died right after the wait's write left it, and its own condition (the
  // mark is this answer's, the customer waits from before it) fails otherwise.
  if (waitsAgain || owed || !owes) await store.takeBackFirstResponse?.(conversationId, written);
  // The AI's answer it was: a person answers now, as for an answer refused up front.
  if (to && owed) await makeOwedHandOff(store, to, wait, handOff?.reason, owed);
  // The clock counted the answer when it was sent: its SLA wait comes back too (keyed on the answer's
  // time, so a redelivered status, told again, changes nothing).
  await track?.({ type: 'unanswered', conversationId, at: wait.replied });
}
