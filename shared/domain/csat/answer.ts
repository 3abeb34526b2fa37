import { asciiDigits } from '../digits.js';
import type { TimelineItem } from '../timeline.js';
import { COUNT_WORDS, foldWord, NUMBER_WORDS, REQUEST_PHRASES, REQUEST_WORDS } from './answer-words.js';

/** The longest text still read as an answer: a score and a short comment, not a new request. */
export const CSAT_ANSWER_MAX_CHARS = 500;

/** A survey answer: the score (1 to 5) and what the customer wrote beside it. */
export interface CsatAnswer {
  score: number;
  comment?: string;
}

const PREFIX = 'csat';

/** The id of a survey choice (a WhatsApp button, a quick reply's payload): `csat:<survey>:<score>`. */
export function csatChoiceId(surveyId: string, score: number): string {
  return `${PREFIX}:${surveyId}:${score}`;
}

/** The score a choice id carries for this survey, or undefined (another survey's, or not one). */
export function scoreOfChoice(id: string, surveyId: string): number | undefined {
  const parts = id.split(':');
  if (parts.length !== 3 || parts[0] !== PREFIX || parts[1] !== surveyId) return undefined;
  return /^[1-5]$/.test(parts[2] ?? '') ? Number(parts[2]) : undefined;
}

// A leading score, then optionally "/5", "out of 5", "of 5" ("de 5", "em 5", "من 5"), then optionally
// "stars" ("estrelas", "estrellas", "نجوم"); the rest is the comment.
const LEADING =
  /^([1-5])(?![\d.,]\d)(?:\s*(?:\/|out of|of|de|em|من)\s*(?:5|five|cinco|خمسة)(?![\p{L}\p{N}]))?(?:\s*(?:stars?|estrelas?|estrellas?|نجوم|نجمات|نجمة)(?![\p{L}\p{N}]))?/iu;
// "2-3", "2 to 3", "2 a 3", "2 إلى 3": a range is no answer.
const RANGE = /^\s*(?:-|–|to|a|até|hasta|إلى|الى)\s*\d/i;
const STARS = /^(?:⭐\uFE0F?\s*){1,5}$/u;
const SEPARATORS = /^[\s,.;:!\-–—)،؛]+/;
const WORD_BREAKS = /[^\p{L}\p{N}']+/u;
/** A question in English, Portuguese, Spanish (`¿`) or Arabic (`؟`). */
const QUESTION = /[?¿؟]/;

/** The most words a comment beside a typed score may have: longer is a message, not a remark. */
export const CSAT_COMMENT_MAX_WORDS = 12;

/**
 * Whether what follows a typed score is a short remark on the service: no question mark, at most
 * CSAT_COMMENT_MAX_WORDS words, no request word or two-word request phrase, and not a count ("2 items"). Splitting on one
 * character class is linear in the (bounded) input.
 */
function isRemark(text: string): boolean {
  if (QUESTION.test(text)) return false;
  const words = foldWord(text).split(WORD_BREAKS).filter(Boolean);
  if (words.length > CSAT_COMMENT_MAX_WORDS) return false;
  if (COUNT_WORDS.has(words[0] ?? '')) return false;
  return !words.some(
    (word, i) => REQUEST_WORDS.has(word) || (i > 0 && REQUEST_PHRASES.has(`${words[i - 1]} ${word}`)),
  );
}

/**
 * The answer a text plainly is, or undefined: a leading digit 1 to 5 alone or with a short remark
 * ("5", "5 great service", "4/5", "4 out of 5 stars"; see isRemark: "2 items never arrived, can
 * someone help?" is a message), one to five star emoji, or a number word alone ("five"; "one more
 * thing" is a message, not a 1). Ranges ("2-3"), decimals ("3.5") and other numbers ("10") are no
 * answer. Reads at most CSAT_ANSWER_MAX_CHARS characters (longer is a message); every pattern runs in
 * linear time.
 */
export function parseCsatText(input: string | undefined): CsatAnswer | undefined {
  if (input === undefined || input.length > CSAT_ANSWER_MAX_CHARS) return undefined;
  const text = asciiDigits(input.normalize('NFKC')).trim();
  if (STARS.test(text)) return { score: [...text.matchAll(/⭐/gu)].length };
  const word = NUMBER_WORDS.get(foldWord(text.replace(/[\s.!]+$/, '')));
  if (word !== undefined) return { score: word };
  const match = LEADING.exec(text);
  if (!match?.[1]) return undefined;
  const rest = text.slice(match[0].length);
  if (RANGE.test(rest) || /^\d/.test(rest)) return undefined;
  const comment = rest.replace(SEPARATORS, '').trim();
  if (!comment) return { score: Number(match[1]) };
  return isRemark(comment) ? { score: Number(match[1]), comment } : undefined;
}

/** What an inbound message offers as an answer: its text and any button or quick-reply ids it carries. */
export interface AnswerInput {
  text?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

/** The ids a message's structured data carries: a WhatsApp button/list reply, a template button, a quick reply. */
function choiceIds(data: Record<string, unknown> | undefined): string[] {
  const ids: string[] = [];
  const pick = (value: unknown, key: string) => {
    if (typeof value === 'object' && value !== null) {
      const id = (value as Record<string, unknown>)[key];
      if (typeof id === 'string') ids.push(id);
    }
  };
  pick(data?.interactive, 'id');
  pick(data?.button, 'payload');
  if (typeof data?.quickReply === 'string') ids.push(data.quickReply);
  return ids;
}

/**
 * The answer a customer's message gives to the survey `surveyId`: a tapped choice of that survey (a
 * button, a quick reply), else its text read by parseCsatText (a template button's text, "5", ...).
 */
export function parseCsatAnswer(message: AnswerInput, surveyId: string): CsatAnswer | undefined {
  const ids = choiceIds(message.data);
  for (const id of ids) {
    const score = scoreOfChoice(id, surveyId);
    if (score !== undefined) return { score };
  }
  // Another survey's button is no answer to this one.
  if (ids.some((id) => id.startsWith(`${PREFIX}:`))) return undefined;
  return parseCsatText(message.text);
}

/**
 * The customer's message that answered a survey, as kept on the timeline: their words stay in their
 * history (and the agents' view), marked `data.csatAnswer` with the survey's id, in the surveyed
 * conversation; it is never routed and never reopens it.
 */
export function surveyAnswerItem(item: TimelineItem, surveyId: string): TimelineItem {
  return { ...item, data: { ...item.data, csatAnswer: surveyId } };
}

/** Whether a timeline item is a customer's message kept as a survey answer (see surveyAnswerItem). */
export function isSurveyAnswer(item: TimelineItem): boolean {
  return item.type === 'message' && typeof item.data?.csatAnswer === 'string';
}
