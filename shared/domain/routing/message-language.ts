import { voicemailTranscription } from '../handoff-summary.js';
import { detectLanguage } from '../language.js';
import { pendingText, type ResponderContext, viewConversation } from '../responder.js';
import type { Conversation, TimelineItem } from '../timeline.js';

/**
 * Fewest letters a text needs for routing to trust the language detected in it. Under it the
 * detector is sure of wrong answers: "unsubscribe me" reads as Spanish, "can I use klarna?" as
 * Swedish; from it on, none of the 1,500 English messages of `test/eval/questions.json` reads as
 * another language.
 */
export const LANGUAGE_MIN_LETTERS = 15;

/** Of a longer text, the characters the detector reads: its start tells the language. */
export const LANGUAGE_MAX_CHARS = 2000;

const LETTER = /\p{L}/gu;

/** The language of a text long enough to tell it (its first `LANGUAGE_MAX_CHARS` read), else none. */
export function languageOfText(text: string): string | undefined {
  const head = text.slice(0, LANGUAGE_MAX_CHARS);
  const letters = head.match(LETTER)?.length ?? 0;
  return letters >= LANGUAGE_MIN_LETTERS ? detectLanguage(head) : undefined;
}

/**
 * The language of a conversation, for the words sent in it later (`csat.byLanguage`, an automation's
 * reply `byLanguage` and `languages` condition): found by `languageOfText` (as the hand-off words'
 * language is for a message the AI did not read) in the first words of the customer's first message,
 * which the conversation keeps (`preview`): nothing more is read. When they are too few to tell ("hi"),
 * the language of the web-chat page it was written on (`languageHint`), else undefined.
 */
export const conversationLanguage = (
  conversation: Pick<Conversation, 'preview' | 'languageHint'>,
): string | undefined =>
  (conversation.preview ? languageOfText(conversation.preview) : undefined) ?? conversation.languageHint;

/** Of the customer's earlier messages, how many help tell the language of a short one (as the responder does). */
const EARLIER_MESSAGES = 3;

/**
 * The language of a message routing hands to a person before the AI reads it (a VIP, a keyword, a
 * voicemail), found as the knowledge-base responder finds it: in the customer's unanswered messages
 * (a voicemail: its transcription, when Twilio has sent it before the voicemail is routed), else in
 * those with the customer's three messages before them; none when neither has enough letters. Reads
 * only the recent items routing has already read.
 */
export function languageToRoute(context: ResponderContext, item: TimelineItem): string | undefined {
  const view = viewConversation(context);
  const said =
    item.type === 'message'
      ? pendingText(view)
      : item.text?.trim() || voicemailTranscription(item, context.timeline) || '';
  const bounded = (text: string) => text.slice(0, LANGUAGE_MAX_CHARS);
  const earlier = view.earlier
    .slice(-EARLIER_MESSAGES)
    .map((i) => bounded(i.text?.trim() ?? ''))
    .filter(Boolean);
  return (
    languageOfText(said) ??
    (earlier.length ? languageOfText([...earlier, bounded(said)].filter(Boolean).join('\n')) : undefined)
  );
}
