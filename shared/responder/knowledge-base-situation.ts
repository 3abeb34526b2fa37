import type { Article } from './knowledge-base-articles.js';
import type { TermPipeline } from './knowledge-base-terms.js';

/** A fact the customer states, and the term of its contrary (`synonyms.json` "opposites"). */
interface Fact {
  term: string;
  opposite: string;
}

/** A paragraph as the situation reads it: its article and its terms. */
interface Paragraph {
  passage: { article: Article };
  terms: ReadonlySet<string>;
}

/** What a message says of the customer's situation, read with each of its questions. */
export interface Situation {
  /** Whether the message states any fact that has a contrary (most do not: nothing to hold or refuse). */
  readonly states: boolean;
  /** The terms a question about `article` holds besides its own. */
  heldBy(article: Article | undefined): string[];
  /** Whether a paragraph states the contrary of what the customer says, and not what they say. */
  contradicts(paragraph: Paragraph): boolean;
}

/**
 * The facts a text states that have a contrary ("in transit", not "not shipped yet"), when it does not
 * state both. "It's in transit. Can I still change the address?" asks about a parcel that has shipped:
 * a paragraph stating the contrary ("until it ships") cannot answer it, and where the question's
 * article tells the two apart, one paragraph for each (the address article: until it ships, once it
 * has left), the question holds the fact; the returns article does not, and its questions are read
 * as asked.
 */
export function readSituation(
  told: ReadonlySet<string>,
  pipeline: TermPipeline,
  paragraphs: readonly Paragraph[],
): Situation {
  const facts: Fact[] = [...told].flatMap((term) => {
    const opposite = pipeline.opposite(term);
    return opposite && !told.has(opposite) ? [{ term, opposite }] : [];
  });
  const tellsApart = (article: Article | undefined, fact: Fact) => {
    const own = paragraphs.filter((p) => p.passage.article === article);
    return own.some((p) => p.terms.has(fact.term)) && own.some((p) => p.terms.has(fact.opposite));
  };
  return {
    states: facts.length > 0,
    heldBy: (article) => facts.filter((fact) => tellsApart(article, fact)).map((fact) => fact.term),
    contradicts: (paragraph) =>
      facts.some((fact) => paragraph.terms.has(fact.opposite) && !paragraph.terms.has(fact.term)),
  };
}
