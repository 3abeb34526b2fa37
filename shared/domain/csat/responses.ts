import type { Channel } from '../envelope.js';

/** One survey answer as `GET /api/csat/responses` lists it. */
export interface CsatResponse {
  surveyId: string;
  conversationId: string;
  customerId: string;
  /** The customer's name, when their profile has one. */
  customerName?: string | undefined;
  score: number;
  comment?: string | undefined;
  channel: Channel;
  answeredAt: string;
  /** The agent credited, as the metrics credit the answer (`metricsCredit`); none when nobody is. */
  agent?: string | undefined;
  /** Only the AI answered and no agent had the conversation: the metrics count it under `ai`. */
  ai: boolean;
}

/** What one page of survey answers reads: a span of time, the filters, and where the last page stopped. */
export interface CsatResponsesRead {
  /** The first and last instant of the range (ISO times, both included). */
  start: string;
  end: string;
  /** Answers scoring at most this. */
  maxScore?: number | undefined;
  /** Only answers with a comment (true) or only those without (false). */
  withComment?: boolean | undefined;
  /** Only answers credited to this agent (an agent reading: their own only). */
  agent?: string | undefined;
  limit: number;
  /** The last page's cursor: this page answers what is older. */
  cursor?: string | undefined;
}

/** A page of answers (newest first, customers not yet named) and the place the next one starts from. */
export interface CsatResponsesPage {
  items: Omit<CsatResponse, 'customerName'>[];
  cursor: string | null;
}
