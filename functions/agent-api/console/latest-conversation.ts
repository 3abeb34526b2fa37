import { type Api, type Conversation, newestPage } from './api.js';

/**
 * The customer's latest conversation, open or not: the last one their timeline names, read from its end
 * a page at a time until a page names one (the newest page, nearly always), then read by its id.
 * Undefined when none is named.
 */
export async function latestConversation(api: Api, customerId: string): Promise<Conversation | undefined> {
  let cursor: string | undefined;
  do {
    const page = await newestPage(api, customerId, 50, cursor);
    const latest = page.items.findLast((item) => item.conversationId)?.conversationId;
    if (latest) return api.get<Conversation>(`/api/conversations/${latest}`);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return undefined;
}
