import { previewOf } from '../domain/conversation-preview.js';
import type { ConversationTouch } from '../domain/resolver-ports.js';
import { languageOfMessage } from '../domain/routing/message-language.js';
import type { TimelineItem } from '../domain/timeline.js';
import { languageHintOf } from '../domain/webchat/page-language.js';

/**
 * What a customer's item tells its conversation's touch: its first words (`preview`), its web-chat
 * page's language (`languageHint`) and, a message, the language its words decide (`language`, by the
 * team's languages `teamLanguages`: see `languageOfMessage`).
 */
export function customerWords(
  item: TimelineItem,
  teamLanguages: readonly string[] = [],
): Pick<ConversationTouch, 'preview' | 'languageHint' | 'language'> {
  const language = item.type === 'message' ? languageOfMessage(item.text, teamLanguages) : undefined;
  return { preview: previewOf(item), languageHint: languageHintOf(item), ...(language ? { language } : {}) };
}
