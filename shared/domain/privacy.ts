import type { Suggestion } from './suggestions.js';
import type { TimelineItem } from './timeline.js';

/** Everything held about a customer, as `GET /api/customers/{id}/export` returns it. */
export interface CustomerExport {
  exportedAt: string;
  customers: Array<Record<string, unknown>>;
  timeline: TimelineItem[];
  conversations: Array<Record<string, unknown>>;
  suggestions: Suggestion[];
}

/** What an erasure removed, kept on the tombstone for audit (counts only, no personal data). */
export interface ErasureReport {
  customerId: string;
  erasedAt: string;
  erasedBy: string;
  customers: number;
  identities: number;
  timelineItems: number;
  conversations: number;
  /**
   * False when the erasure stopped after its share of deletes (a heavy customer): `DELETE` again to
   * carry on (202 until the last call, which answers 200 and writes the tombstone).
   */
  complete: boolean;
}
