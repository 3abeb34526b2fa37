/** The longest stretch of a message that is searched; the rest is left to a person's reading. */
export const MAX_QUERY_CHARS = 2000;
const MAX_SEGMENTS = 6;
const QUESTION_START =
  /^(how|what|whats|when|where|wheres|which|who|why|can|could|do|does|did|is|are|will|would|should|may|have|has)\b/;

// "is shipping free and do you take klarna?": a second question joined to a first by "and".
const JOINED_QUESTION =
  /,?\s+(?:and|also|plus|&)\s+(?=(?:can|could|do|does|did|is|are|will|would|how|what|whats|when|where|which)\s)/i;

// A joined question speaking of "it" ("how much is delivery and when does it arrive?") needs the first.
const REFERS_BACK = /\b(it|its|that|this|they|them|those|one)\b/i;

/** Whether a sentence speaks of something named before it ("can I send it back?"). */
export const refersBack = (sentence: string) => REFERS_BACK.test(sentence);

const opensAsQuestion = (sentence: string) =>
  QUESTION_START.test(sentence.toLowerCase().replace(/['’]/g, ''));

/**
 * A sentence that opens as a question, cut where a second question that stands on its own is joined
 * to it with "and".
 */
function splitJoined(sentence: string): string[] {
  if (!opensAsQuestion(sentence)) return [sentence];
  const [first, ...rest] = sentence.split(JOINED_QUESTION);
  const second = rest.length === 1 ? rest[0] : undefined;
  return first && second && !refersBack(second) ? [first, second] : [sentence];
}

// An e-mail's salutation ("Dear customer service,") names whom it is written to, not what it asks.
const SALUTATION = /^\s*dear\b[^,\n]{0,60}[,\n]\s*/i;
// A closing ("Best wishes", "Thank you so much,") and up to four words of a name after it. The name's
// words end at the spaces between them and the phrase after the closing is optional as a whole, so a
// long run of text cannot be cut many ways (test/support/adversarial.ts).
const CLOSING_WORDS =
  '(?:kind regards|best regards|warm regards|regards|best wishes|many thanks|thanks|thank you|cheers|yours (?:faithfully|sincerely|truly)|sincerely|all the best|best)\\b[\\s,!.]*(?:(?:so much|a lot|again|in advance|very much)[\\s,!.]*)?';
const SIGNED_NAME = '(?:[^\\s?]+(?:\\s+|$)){0,4}';

// A closing and a name ("Best wishes, Tom Baker", "Thank you, Daniel"), with no question in it.
const CLOSING = new RegExp(`^${CLOSING_WORDS}${SIGNED_NAME}$`, 'i');

// A closing ending the message after a sentence, with a name that may hold initials or a title
// ("Yours faithfully, R. Lindqvist", "Kind regards, Mrs. Dubois"), which the sentence split would cut.
const SIGNED = new RegExp(`(?<=[.!?\\n]\\s*)${CLOSING_WORDS}(${SIGNED_NAME})$`, 'i');
// Capitalised words or initials, each ended by its full stop, the spaces after it or the end.
const NAME = /^(?:\p{Lu}[\p{L}'’-]*(?:\.\s*|\s+|$)){1,4}$/u;

/** The message without a closing and signed name at its end. */
function unsigned(text: string): string {
  const signed = SIGNED.exec(text);
  return signed && (!signed[1] || NAME.test(signed[1])) ? text.slice(0, signed.index) : text;
}

// A preamble that announces the questions ("two questions please: how do I...", "quick one: are...").
const PREAMBLE =
  /(?<=:)\s+(?=(?:how|what|whats|when|where|which|who|why|can|could|do|does|is|are|will|would)\b)/i;

// Chat writers end a sentence with "lol" or "haha" rather than a full stop ("can i send a cheque lol
// my nan wants to order").
const CHAT_STOP = /\s+(?:lol|lmao|haha+|tbh)\b[\s,.!]*/i;

/**
 * A message cut into the sentences that may each ask something (two questions joined by "and" are
 * two), without an e-mail's salutation and closing; the whole message when it is one.
 */
export function splitSegments(text: string): string[] {
  const bounded = unsigned(text.slice(0, MAX_QUERY_CHARS).replace(SALUTATION, '').trimEnd());
  const parts = bounded
    .split(/(?<=[.!?\n])\s+|\n+/)
    .flatMap((part) => part.split(PREAMBLE))
    .flatMap((part) => part.split(CHAT_STOP))
    .map((part) => part.trim())
    .filter((part) => part && !CLOSING.test(part))
    .flatMap(splitJoined);
  return parts.length > MAX_SEGMENTS ? [bounded] : parts;
}

// A sentence that carries on from the one before ("...? also can sale items go back").
const CARRIES_ON = /^(?:and|also|plus|n|&|oh and|and also|btw|ps|one more thing|another thing)\b[,:]?\s*/i;
const ASKS_WITHIN = /\b(how|what|whats|when|where|wheres|which|who|why)\b/i;

/**
 * Whether a segment asks something: a question mark, or a question's opening words, also after a
 * word that carries on from the sentence before ("also is klarna an option", "and if I send it back
 * from abroad who pays").
 */
export function isQuestion(segment: string): boolean {
  if (segment.includes('?') || opensAsQuestion(segment)) return true;
  const rest = segment.replace(CARRIES_ON, '');
  return rest !== segment && (opensAsQuestion(rest) || ASKS_WITHIN.test(rest));
}

// A comparison names something else than what is asked about ("can I exchange a dress in the same way
// as you do for shoes?" asks about a dress): its words are left out of the question's terms.
const COMPARISON =
  /\b(?:in the same way as|the same way as|the same as|same as|just like|like you do|as you do|as with|like with|similar to)\b[^,.;!?\n]{0,80}/gi;

// Where the customer shops, said of the shop itself ("do you take Apple Pay in your online shop?"):
// the place of every question, so it says nothing of which one ("we are an online shop").
const THE_SHOP_ITSELF =
  /\b(?:in|on|at|from|via|through) your (?:online |web )?(?:shop|store|website|site|webshop|web shop|app)\b/gi;

/** A question without the comparison it draws with something else, nor the shop named as its place. */
export const withoutAsides = (question: string) =>
  question.replace(COMPARISON, ' ').replace(THE_SHOP_ITSELF, ' ');
