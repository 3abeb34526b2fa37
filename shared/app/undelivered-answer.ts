import type { StatusEnvelope } from '../domain/envelope.js';
import type { LateFailureStore } from '../domain/late-failure-ports.js';
import type { RouterAdmin } from '../domain/router-ports.js';
import { type QueueRules, selectQueue } from '../domain/routing/queues.js';
import { AI_AUTHOR_ID } from '../domain/routing/routable.js';
import type { LateFailureWait, OwedHandOff } from '../domain/waiting.js';
import { OPTED_OUT_AT_SEND_NOTE } from './unreachable-customer.js';

/**
 * Hands a person the conversation whose AI answer the provider took, then reported failed; `at`: the
 * hand-off's time, as its wait's write recorded it (`OwedHandOff`).
 */
export type UndeliveredAnswerHandOff = (
  wait: LateFailureWait,
  reason: string | undefined,
  at: string,
  unreachable?: boolean,
) => Promise<void>;

/**
 * The AI's answer never reached the customer, and they wait again: as for an answer the channel
 * refused up front, a person must answer. A note says why (`Hand-off (ai_failed)`, with the provider's
 * reason), and the conversation goes to the queue the policy picks for the channel while nobody has it
 * (an agent who has it keeps it). Both keyed on the failed answer's time and timed at `at` (the time the
 * wait's write recorded), so a retry after a crash part-way repeats nothing. `policy`: read on first
 * use (the sender parses the routing policy only when an answer failed). `unreachable`: no channel can
 * take the answer (Twilio refused the SMS for a STOP, and SMS was the only one): the note says so, under
 * the same key, and nobody is handed the conversation.
 */
export function undeliveredAnswerHandOff(
  admin: Pick<RouterAdmin, 'addNote' | 'assign'>,
  policy: () => QueueRules,
): UndeliveredAnswerHandOff {
  return async (wait, reason, at, unreachable) => {
    if (!wait.byAi) return;
    const { conversationId, written } = wait;
    if (unreachable) {
      await admin.addNote(
        conversationId,
        OPTED_OUT_AT_SEND_NOTE,
        AI_AUTHOR_ID,
        at,
        `undelivered:${written}`,
        'ai',
      );
      return;
    }
    const queue = selectQueue(policy(), { channel: wait.byAi.channel });
    const why = reason ? ` (${reason})` : '';
    const detail = `the AI's answer could not be delivered on ${wait.byAi.channel}${why}; a person must answer`;
    await admin.addNote(
      conversationId,
      `Hand-off (ai_failed): ${detail}.`,
      AI_AUTHOR_ID,
      at,
      `undelivered:${written}`,
      'ai',
    );
    await admin.assign(
      conversationId,
      { queue },
      AI_AUTHOR_ID,
      at,
      `assigned:${conversationId}:undelivered:${written}`,
      {
        ifUnassigned: true,
      },
    );
  };
}

/**
 * The hand-off owed for the failed answer written at `answer`: the one this run's write recorded
 * (`owes`, when `wrote`), else one recorded by an earlier run that died before making it (one strong
 * read; none asked when nothing is owed by this run either).
 */
export async function owedNow(
  store: Pick<LateFailureStore, 'owedHandOff'>,
  conversationId: string,
  answer: string,
  wrote: boolean,
  owes: OwedHandOff | undefined,
): Promise<OwedHandOff | undefined> {
  if (!owes) return undefined;
  return wrote ? owes : await store.owedHandOff?.(conversationId, answer);
}

/**
 * What an owed hand-off is worked out from: the failed answer's wait, whether this run's write brought
 * it back (`waits`), and the hand-off this run may owe (`owes`).
 */
type OwedFrom = [
  wait: Pick<LateFailureWait, 'conversationId' | 'at' | 'answered' | 'written'>,
  waits: boolean,
  owes: OwedHandOff | undefined,
];

/**
 * The hand-off owed for the AI's answer refused at the send (`wait`: the message it answered, `at`, and
 * the answer's times), `owes` when this run may record one: recorded by this run's wait (`waits`), else,
 * when the wait never ended (the message's own, still running: its send would have ended it after), by
 * a write that records it alone (`oweHandOffWhileWaiting`, conditional), else one an earlier run
 * recorded and did not make (`owedNow`: one strong read).
 */
export async function owedAfterRefusal(
  store: Pick<LateFailureStore, 'owedHandOff' | 'oweHandOffWhileWaiting'>,
  ...[wait, waits, owes]: OwedFrom
): Promise<OwedHandOff | undefined> {
  const { conversationId, at, answered, written } = wait;
  const wrote =
    waits ||
    (owes !== undefined &&
      (await store.oweHandOffWhileWaiting?.(conversationId, at, answered, owes)) === true);
  return owedNow(store, conversationId, written, wrote, owes);
}

/**
 * The hand-off owed for the AI's answer the provider took, then reported failed (`wait`), `owes` when
 * this run may record one: recorded by this run's wait (`waits`), else as the conversation holds it
 * (`handOffRecord`, one strong read): one recorded for this answer by an earlier run, still owed or
 * made; else, while the customer's wait never ended (from the answered message or before: they wrote
 * again between the answer's write and its send, which then ended none), recorded by a write of its
 * own (`oweHandOffWhileWaiting`, conditional), as for an answer refused at the send. A redelivered
 * status reads only, as before.
 */
export async function owedAfterLateFailure(
  store: Pick<LateFailureStore, 'handOffRecord' | 'oweHandOffWhileWaiting'>,
  ...[wait, waits, owes]: OwedFrom
): Promise<OwedHandOff | undefined> {
  if (!owes || waits) return owes;
  const { conversationId, at, answered, written } = wait;
  const record = await store.handOffRecord?.(conversationId, written);
  if (!record || record.recorded) return record?.owed;
  if (record.waitingSince === undefined || record.waitingSince > at) return undefined;
  return (await store.oweHandOffWhileWaiting?.(conversationId, at, answered, owes)) ? owes : undefined;
}

/** Makes the owed hand-off at the time its wait's write recorded, then marks it made: once. */
export async function makeOwedHandOff(
  store: Pick<LateFailureStore, 'handOffMade'>,
  to: UndeliveredAnswerHandOff,
  wait: LateFailureWait,
  reason: string | undefined,
  owed: OwedHandOff,
): Promise<void> {
  await to(wait, reason, owed.at);
  await store.handOffMade?.(wait.conversationId, wait.written);
}

/** The provider's reason for a failed status, as the note names it: its first error's code (and hint). */
export function failureReason(status: StatusEnvelope): string | undefined {
  const error = status.errors?.[0];
  if (!error) return undefined;
  return error.hint ? `${error.code}: ${error.hint}` : error.code;
}
