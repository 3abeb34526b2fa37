import { foldText } from '../domain/responder.js';

/** A kind of answer a question asks for, which a passage gives only if it holds that kind of fact. */
export type AnswerKind = 'duration' | 'time' | 'price' | 'day' | 'contact' | 'status';

// One order named by its number ("order 40122", "parcel no 55102", folded: "#" and "." are gone).
const ONE_ORDER = '(?:order|parcel|package) (?:no |nr |number )?\\d{3,}\\b';

// Questions (folded: lower case, no accents, no punctuation). "how long" asks a duration; "when" asks a
// time or the event it waits for, only as a question ("when will...", not "cash when the courier
// delivers"); a day only in general ("on sundays", "at weekends"), not a day a customer mentions.
const ASKS: Record<AnswerKind, RegExp> = {
  duration:
    /\bhow (long|soon|quickly|fast)\b|\bhow many (minutes|hours|days|weeks|months)\b|\bdeadline\b|\buntil when\b/,
  time: /^when\b|\b(by|from) when\b|\bwhen (will|do|does|did|can|could|is|are|should|would|shall|am)\b|\bwhat time\b/,
  price:
    /\bhow much\b|\b(cost|costs) (anything|extra|more|me)\b|\b(does|do|will|would|it) (it |that |this )?cost\b|\b(fee|fees|price|prices|cheapest|expensive)\b|\bpay (for|anything|extra)\b|\bfree\b|\bcharge for\b/,
  day: /\b(mon|tues|wednes|thurs|fri|satur|sun)days\b|\bweekends?\b|\b(bank|public) holidays?\b/,
  contact: /\b(phone|telephone|whatsapp|contact) number\b|\bnumber to (call|ring|text)\b|\bemail address\b/,
  // Whether one order has shipped ("has my parcel been sent?", "order no 55102 has it shipped yet?"),
  // or where one order named by its number is ("where is order 40122", "any update on order 30417"):
  // only its tracking or a person knows. Without a number, "where is my order?" asks how to track it.
  status: new RegExp(
    [
      '^(?:(?:my )?(?:order|parcel) (?:no |nr |number )?\\d+ )?(?:has|did) (?:it|they|(?:my|the) (?:order|parcel|package))(?: \\w+){0,2}? (?:ship|shipped|sent|dispatched|posted|left|leave)\\b',
      `\\b(?:where|wheres|status|update|updates|news)(?: \\w+){0,3}? ${ONE_ORDER}`,
      `${ONE_ORDER} (?:\\w+ ){0,2}?(?:where|status)\\b`,
      `\\bis (?:my |the )?${ONE_ORDER} (?:on its way|out for delivery|shipped|sent|dispatched|coming)\\b`,
    ].join('|'),
  ),
};

const DURATION =
  /\b(\d+ )?(am|pm|minutes?|hours?|days?|weeks?|months?|tonight|today|tomorrow|weekends?|holidays?)\b|\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bwithin\b|\bsame day\b/;

// Passages: the facts that answer each kind. Run on the passage as written (lower case) for amounts
// and on its folded words otherwise.
const GIVES: Record<AnswerKind, (raw: string, folded: string) => boolean> = {
  duration: (_, folded) => DURATION.test(folded),
  time: (_, folded) =>
    DURATION.test(folded) || /\b(as soon as|once|until|when (you|we|it|your|the))\b/.test(folded),
  price: (raw, folded) =>
    /[€$£] ?\d|\d ?(€|eur\b|euros?\b)/.test(raw) ||
    /\b(free|cost|costs|charged?|fee|fees|price)\b/.test(folded),
  day: (_, folded) =>
    /\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bweekends?\b|\bholidays?\b|\bworking days?\b/.test(
      folded,
    ),
  contact: (raw) => /\+?\d[\d ()-]{6,}\d|[\w.+-]+@[\w-]+\.[\w.]+/.test(raw),
  status: () => false,
};

const KINDS = Object.keys(ASKS) as AnswerKind[];

/** The kinds of answer a question asks for ("how much..." a price); none for most questions. */
export function askedKinds(question: string): AnswerKind[] {
  const folded = foldText(question);
  return KINDS.filter((kind) => ASKS[kind].test(folded));
}

/**
 * The words of a question that ask each kind it asks ("how much" of "how much does a size 46 shoe
 * cost"): a passage answers only if it speaks of them too, not merely holds that kind of fact.
 */
export function askingWords(question: string): Partial<Record<AnswerKind, string>> {
  const folded = foldText(question);
  const words: Partial<Record<AnswerKind, string>> = {};
  for (const kind of KINDS) {
    const found = ASKS[kind].exec(folded)?.[0];
    if (found) words[kind] = found;
  }
  return words;
}

/** The kinds of answer a passage can give: the facts it holds (a time, an amount, a day, a number). */
export function givenKinds(passage: string): Set<AnswerKind> {
  const raw = passage.toLowerCase();
  const folded = foldText(passage);
  return new Set(KINDS.filter((kind) => GIVES[kind](raw, folded)));
}

/** Whether a passage holds every kind of fact the question asks for. */
export function givesAnswer(asked: readonly AnswerKind[], given: ReadonlySet<AnswerKind>): boolean {
  return asked.every((kind) => given.has(kind));
}

/** One statement of a passage: its terms and the kinds of fact it gives. */
export interface Statement {
  terms: Set<string>;
  gives: Set<AnswerKind>;
}

/** A passage's statements, sentence by sentence; a question it asks itself states nothing. */
export function passageStatements(passage: string, terms: (text: string) => string[]): Statement[] {
  return passage
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => !sentence.trim().endsWith('?'))
    .map((sentence) => ({ terms: new Set(terms(sentence)), gives: givenKinds(sentence) }));
}

// Kinds of fact that belong to the sentence stating them: "Express ... costs €9.95. International
// delivery takes 5-10 days" gives no price for international express.
const STATED_TOGETHER: ReadonlySet<AnswerKind> = new Set(['price']);

/**
 * The kind asked that the passage states of none of the things asked about: a word of the question
 * (`about`) that the passage speaks of only in sentences without that kind of fact ("how much is express
 * delivery to spain?": the price is the domestic express one, international has none). The first
 * statement is the paragraph's subject, which the later ones speak of as "it", so it counts for all.
 */
export function unstatedKind(
  asked: readonly AnswerKind[],
  about: readonly string[],
  statements: readonly Statement[],
): AnswerKind | undefined {
  const [subject] = statements;
  return asked.find(
    (kind) =>
      STATED_TOGETHER.has(kind) &&
      about.some((term) => {
        if (subject?.terms.has(term)) return false;
        const saying = statements.filter((s) => s.terms.has(term));
        return saying.length > 0 && !saying.some((s) => s.gives.has(kind));
      }),
  );
}

/**
 * Whether the passage speaks of the things asked about only in separate sentences ("can I get
 * express delivery to ireland?": express is next day, international 5-10 days; nothing says express
 * goes abroad). The paragraph's subject (its first statement) goes with every sentence.
 */
export function spokenApart(about: readonly string[], statements: readonly Statement[]): boolean {
  const [subject] = statements;
  const told = about.filter((t) => !subject?.terms.has(t) && statements.some((s) => s.terms.has(t)));
  return told.length > 1 && !statements.some((s) => told.every((t) => s.terms.has(t)));
}
