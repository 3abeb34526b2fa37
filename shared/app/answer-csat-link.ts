import type { CsatStore } from '../domain/csat/csat-ports.js';
import { verifyCsatToken } from '../domain/csat/token.js';
import type { Clock } from '../domain/ports.js';
import { type CsatAnswerOutcome, recordCsatAnswer } from './record-csat-answer.js';

/** What a survey link did: recorded (or found the earlier answer), or why not (`invalid`, `expired`, `gone`). */
export type CsatLinkOutcome = CsatAnswerOutcome | { outcome: 'invalid' | 'expired' | 'gone' };

/**
 * Records the score of an email survey's link, sent by its button: the token must be ours (HMAC) and unexpired,
 * and its conversation must still exist (an erased customer's links are gone). The first score wins:
 * clicking it again is the same answer, and another score is told the one recorded (never counted twice).
 */
export async function answerCsatLink(
  deps: { store: CsatStore; clock: Clock; secrets: readonly string[] },
  input: { token: string; score: number },
): Promise<CsatLinkOutcome> {
  const now = deps.clock.now();
  const check = verifyCsatToken(input.token, deps.secrets, now);
  if (!check.ok) return { outcome: check.reason };
  const { claims } = check;
  const conversation = await deps.store.getConversation(claims.c);
  if (!conversation) return { outcome: 'gone' };
  return recordCsatAnswer(deps.store, {
    customerId: claims.u,
    conversationId: claims.c,
    surveyId: claims.s,
    sentAt: claims.t,
    channel: 'email',
    score: input.score,
    answeredAt: now.toISOString(),
    // The same score clicked again is the same answer; another one finds the first.
    source: `link:${input.score}`,
  });
}
