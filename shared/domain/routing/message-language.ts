import { voicemailTranscription } from '../handoff-summary.js';
import { detectLanguage } from '../language.js';
import { pendingText, type ResponderContext, viewConversation } from '../responder.js';
import type { Conversation, TimelineItem } from '../timeline.js';
import { scriptLanguage } from './script-language.js';

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
 * The language a customer's message decides for its conversation (`ConversationTouch.language`): the
 * one the detector finds in it (`languageOfText`, 15 letters at least), else the one of the team's
 * languages its script alone names (`scriptLanguage`: «مرحبا» for a team with `ar`), else none. An
 * email's is its body's (the text routing reads), never its subject's.
 */
export function languageOfMessage(
  text: string | undefined,
  teamLanguages: readonly string[],
): string | undefined {
  if (!text) return undefined;
  return languageOfText(text) ?? scriptLanguage(text.slice(0, LANGUAGE_MAX_CHARS), teamLanguages);
}

/**
 * The language of a conversation, for routing's queue, agent and hand-off words and the words sent in
 * it later (`csat.byLanguage`, an automation's reply `byLanguage` and `languages` condition): the one
 * decided once per opening (`language`: by the first customer message in it that tells one,
 * `languageOfMessage`, and again by the message that reopens it when that one tells one); when none
 * has, the language of the web-chat page it was written on (`languageHint`), else undefined.
 */
export const conversationLanguage = (
  conversation: Pick<Conversation, 'language' | 'languageHint'>,
): string | undefined => conversation.language ?? conversation.languageHint;

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
