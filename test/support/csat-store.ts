import type { CsatStore } from '#shared/domain/csat/csat-ports.js';
import type { CsatTally } from '#shared/domain/csat/survey.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';

export const csatConversation: Conversation = {
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'resolved',
  channel: 'whatsapp',
  createdAt: '2026-12-03T09:00:00.000Z',
  assignee: 'ana',
  queue: 'billing',
  channels: ['whatsapp'],
  channelSwitch: false,
};

/**
 * An in-memory CsatStore: items by customer, time and id (a put writes once), counted tallies, and each
 * survey's claim on its conversation (the first answer's source; the same source may claim again).
 */
export function fakeCsatStore() {
  const items = new Map<string, TimelineItem>();
  const counted: CsatTally[] = [];
  const claims = new Map<string, string>();
  const key = (customerId: string, at: string, id: string) => `${customerId}|${at}|${id}`;
  const store: CsatStore = {
    getConversation: async (id) => (id === csatConversation.id ? csatConversation : undefined),
    claimCsatAnswer: async ({ conversationId, surveyId, source }) => {
      const k = `${conversationId}|${surveyId}`;
      if ((claims.get(k) ?? source) !== source) return false;
      claims.set(k, source);
      return true;
    },
    putTimelineItem: async (item) => {
      const k = key(item.customerId, item.at, item.id);
      if (items.has(k)) return false;
      items.set(k, item);
      return true;
    },
    getTimelineItem: async (customerId, at, id) => items.get(key(customerId, at, id)),
    countCsat: async (tally) => {
      counted.push(tally);
    },
    countCsatSurvey: async () => {},
  };
  return { store, items, counted };
}
