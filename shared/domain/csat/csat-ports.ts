import type { Conversation, TimelineItem } from '../timeline.js';
import type { CsatPending, CsatSurveyCount, CsatTally } from './survey.js';
import type { CsatTokenClaims } from './token.js';

/** What recording an answer reads and writes: the answer's event, the conversation, the counters. */
export interface CsatStore {
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  /**
   * Claims a survey's one score for the answer `source` (its envelope, or its link click), on the
   * surveyed conversation: false when another answer claimed it first, in whichever customer's
   * partition that answer was recorded (an unmerge leaves the survey pending on both customers).
   */
  claimCsatAnswer(claim: { conversationId: string; surveyId: string; source: string }): Promise<boolean>;
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
  /** Adds one answer to its day's CSAT counters (one UpdateItem). */
  countCsat(tally: CsatTally): Promise<void>;
  /** Adds one survey sent, or skipped by its reason, to its day's counters (one UpdateItem). */
  countCsatSurvey(count: CsatSurveyCount): Promise<void>;
}

/** What sending a survey needs beyond the clock and the reply path. */
export interface CsatPorts {
  store: CsatStore;
  /** Keeps the survey awaiting an answer on the customer's profile (replacing an older one). */
  setCsatPending(customerId: string, pending: CsatPending): Promise<void>;
  /** The signed link of one score of an email survey; unset without a public URL and a signing secret. */
  link?: ((claims: CsatTokenClaims, score: number) => string) | undefined;
}

/** The author of a survey on the timeline (under the AI's kind: no agent wrote it). */
export const CSAT_AUTHOR_ID = 'csat';
