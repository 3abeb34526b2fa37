import { reopenOrNext } from './conversation.js';
import type { Envelope } from './envelope.js';
import type { Conversation } from './timeline.js';
import { newTimer, type Timer } from './timer-ports.js';

/**
 * How long after an inbound call ends its missed call is decided (ms): Twilio does not promise the
 * order of a call's status, recording and transcription callbacks, and a voicemail that holds words
 * (its recording, seconds after the hang-up) is the caller's own wait. Two minutes lets it land first.
 */
export const MISSED_CALL_SETTLE_MS = 120_000;

/**
 * The end of a call the customer made (`completed`, `missed`: busy, no-answer, failed, canceled): nobody
 * answers a call in Threadline (its voice app takes a voicemail), so every such call is a missed call,
 * to call back. An outgoing call (an agent's call-back) is not.
 */
export function isInboundCallEnd(envelope: Envelope): envelope is Extract<Envelope, { kind: 'call' }> {
  return (
    envelope.kind === 'call' &&
    envelope.direction === 'inbound' &&
    (envelope.event === 'completed' || envelope.event === 'missed')
  );
}

/**
 * A call placed to the customer from our number (an agent's call-back) that ended after they took it
 * (`completed`, some seconds long): they were answered. One they did not take is `missed`.
 */
export function isAnsweredCallBack(envelope: Envelope): boolean {
  return (
    envelope.kind === 'call' &&
    envelope.direction === 'outbound' &&
    envelope.event === 'completed' &&
    (envelope.durationSeconds ?? 0) > 0
  );
}

/**
 * The missed call's timer: keyed on the call (`version`, its CallSid) and the conversation its end was
 * filed beside (`subject`), due `MISSED_CALL_SETTLE_MS` after its end (`detail`, the end's time on the
 * timeline, the time it waits from): set again by a redelivered status, it is the same timer.
 */
export function missedCallTimer(call: { conversationId: string; callSid: string; at: string }): Timer {
  const dueAt = new Date(Date.parse(call.at) + MISSED_CALL_SETTLE_MS).toISOString();
  return newTimer({
    kind: 'missed_call',
    subject: call.conversationId,
    version: call.callSid,
    detail: call.at,
    dueAt,
  });
}

/** The author of a reopen a missed call makes (`reopenedBy`). */
export const MISSED_CALL_AUTHOR_ID = 'missed-call';

/** What settling a missed call did to its conversation (`ClockStore.waitForMissedCall`). */
export type MissedCallOutcome = 'waits' | 'reopened' | 'opened' | 'marked' | 'answered';

/** What settling a missed call did, and to which conversation (the one it waits in, or was marked). */
export interface MissedCallSettled {
  outcome: MissedCallOutcome;
  conversationId: string;
}

/** What a settle reads of the caller's profile when the conversation its call was filed beside is not open. */
export interface MissedCallProfile {
  openConversationId?: string | undefined;
  lastConversationId?: string | undefined;
  lastResolvedAt?: string | undefined;
}

/**
 * Where a settled missed call (its end at `at`) goes, by the rule a message of the caller's at that
 * time follows (`placeEvent`): the customer's open conversation (`join`: it waits there, or is
 * marked), whichever it is now (one the caller's text opened during the settle included); else their
 * last one, resolved before the call, reopened when the call came within `reopenWindowMs` of that
 * resolve (`reopen`); else a new one after it (`open`: the id a message would open, so a text racing
 * the settle lands in the same one). A resolve at or after the call (someone dealt with it), or no
 * profile (an erased customer): `none`.
 */
export type MissedCallPlace =
  | { kind: 'join'; conversationId: string }
  | { kind: 'reopen'; conversationId: string }
  | { kind: 'open'; conversationId: string; previousConversationId: string }
  | { kind: 'none' };

export function missedCallPlace(
  filedBeside: Pick<Conversation, 'id' | 'customerId' | 'status' | 'resolvedAt'>,
  profile: MissedCallProfile | undefined,
  at: string,
  reopenWindowMs: number,
): MissedCallPlace {
  if (filedBeside.status === 'open') return { kind: 'join', conversationId: filedBeside.id };
  if (!profile) return { kind: 'none' };
  if (profile.openConversationId) return { kind: 'join', conversationId: profile.openConversationId };
  const last = profile.lastConversationId ?? filedBeside.id;
  const resolvedAt = profile.lastResolvedAt ?? filedBeside.resolvedAt;
  if (!resolvedAt) return { kind: 'none' };
  // The window a message of the caller's follows; a resolve at or after the call (late) dealt with it.
  const rule = reopenOrNext(filedBeside.customerId, { conversationId: last, resolvedAt }, at, reopenWindowMs);
  if (rule.kind === 'next')
    return { kind: 'open', conversationId: rule.conversationId, previousConversationId: last };
  return rule.late ? { kind: 'none' } : { kind: 'reopen', conversationId: last };
}
