import type { TrackClock } from '../domain/clock-ports.js';
import type { Envelope } from '../domain/envelope.js';
import { isAnsweredCallBack, isInboundCallEnd } from '../domain/missed-call.js';
import { type BusinessAnswerDeps, recordBusinessAnswer } from './record-business-answer.js';

/**
 * The end of a call, filed beside `conversationId` at `at` (its timeline item's time). One the customer
 * made (`isInboundCallEnd`): the clock sets its missed call's timer (`missedCallTimer`), keyed on the
 * call, with no read or write now (a redelivered status sets the same timer). A call-back the customer
 * answered (`isAnsweredCallBack`): the answer to their wait, as a person's answer from outside Threadline
 * is (`recordBusinessAnswer`): the conversation's first response when it is the first answer (marked
 * once, counted in the metrics), the wait's end, routing's `humanRepliedAt`, then the clock's `reply`
 * (the response target it meets). Any other event: nothing.
 */
export async function tellClockOfCallEnd(
  deps: BusinessAnswerDeps & { track?: TrackClock | undefined },
  envelope: Envelope,
  placed: { conversationId: string; at: string },
): Promise<void> {
  const { conversationId, at } = placed;
  if (isInboundCallEnd(envelope)) {
    await deps.track?.({ type: 'callEnded', conversationId, callSid: envelope.callId, at });
  } else if (isAnsweredCallBack(envelope)) {
    await recordBusinessAnswer(deps, conversationId, at);
  }
}
