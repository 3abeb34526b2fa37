import MiniSearch, { type SearchResult } from 'minisearch';
import type { Article } from './knowledge-base-articles.js';
import { KnowledgeBaseError } from './knowledge-base-articles.js';

// Words that say nothing about which article fits: function words, greetings and politeness. "where"
// and "when" stay: in a shop they point at tracking and delivery times.
const STOP_WORDS = new Set(
  `a about above after again all also am an and any anything are as at be been before being below
  both but by can could did do does doing done for from further get got had has have having he her here
  hers him his how i if in into is it its itself just let me more most much many my myself no nor not now
  of off on once only or other our ours out over own same she should so some still such than that the their
  theirs them then there these they this those through to too under until up very was we were what
  which while who whom why will with would you your yours yourself hi hello hey dear thanks thank thx
  please pls ok okay yes yeah good morning afternoon evening regards cheers bye question ask asking know tell
  help want wanted need like one guys team sir madam im ive id dont cant wont isnt something thing things
  stuff nothing say says said come came go going today yesterday already`.split(/\s+/),
);

/**
 * A light English suffix folding ("shipping", "shipped", "ships" → "ship"), applied to articles and
 * questions alike, so inflections meet; prefix and fuzzy search cover the rest.
 */
export function foldTerm(term: string): string | null {
  const word = term
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
  if (word.length < 2 || STOP_WORDS.has(word)) return null;
  if (word.length <= 3 || /\d/.test(word)) return word;
  let stem = word;
  if (stem.endsWith('ies') && stem.length > 4) stem = `${stem.slice(0, -3)}y`;
  else if (stem.endsWith('sses')) stem = stem.slice(0, -2);
  else if (stem.endsWith('s') && !/(ss|us|is)$/.test(stem)) stem = stem.slice(0, -1);
  if (stem.endsWith('ing') && stem.length > 5) stem = stem.slice(0, -3);
  else if (stem.endsWith('ed') && stem.length > 4) stem = stem.slice(0, -2);
  if (/([^aeiouls])\1$/.test(stem)) stem = stem.slice(0, -1);
  return stem;
}

const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];

/** The distinct search terms of a text, folded as the index folds them. */
function searchTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const token of tokenize(text)) {
    const term = foldTerm(token);
    if (term) terms.add(term);
  }
  return [...terms];
}

/** The article that best fits a question, and how sure we are of it. */
export interface Match {
  article: Article;
  /** 0 to 1; see createArticleIndex. */
  confidence: number;
  /** The article's (folded) terms that matched. */
  terms: string[];
}

/**
 * Full-text retrieval over the articles (MiniSearch: BM25, title boosted, prefix and fuzzy terms).
 * BM25 scores have no scale, so the confidence is built from what they rank: the share of the
 * question's information (its terms weighted by rarity, unknown terms weighing most) that the best
 * article holds, lowered when what matched is only common words ("order") or when a second article
 * scores close to the first.
 */
export function createArticleIndex(articles: readonly Article[]): (question: string) => Match | undefined {
  if (!articles.length) throw new KnowledgeBaseError('the knowledge base has no articles');
  const byId = new Map(articles.map((article) => [article.id, article]));
  const index = new MiniSearch<Article>({
    fields: ['title', 'body'],
    processTerm: foldTerm,
    searchOptions: {
      boost: { title: 2 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
      combineWith: 'OR',
    },
  });
  index.addAll([...articles]);

  const vocabularies = articles.map((article) => new Set(searchTerms(`${article.title}\n${article.body}`)));
  const weights = new Map<string, number>();
  /** Inverse document frequency, prefixes counted as search counts them; a term no article has weighs most. */
  const weight = (term: string) => {
    let idf = weights.get(term);
    if (idf === undefined) {
      const df = vocabularies.filter(
        (terms) => terms.has(term) || (term.length >= 4 && [...terms].some((t) => t.startsWith(term))),
      ).length;
      idf = Math.log(1 + articles.length / (df + 0.5));
      weights.set(term, idf);
    }
    return idf;
  };
  // What one specific term (in one or two articles) carries: matching less than that is not an answer.
  const enough = Math.log(1 + articles.length / 2.5);

  const match = (question: string): Match | undefined => {
    const terms = searchTerms(question);
    if (!terms.length) return undefined;
    const [top, second]: (SearchResult | undefined)[] = index.search(question);
    const article = top && byId.get(String(top.id));
    if (!top || !article) return undefined;
    const total = terms.reduce((sum, term) => sum + weight(term), 0);
    const matched = [...new Set(top.queryTerms)].reduce((sum, term) => sum + weight(term), 0);
    const coverage = Math.min(1, matched / total);
    const specificity = Math.min(1, matched / enough);
    const lead = second ? 1 - second.score / top.score : 1;
    const ambiguity = 0.5 + 0.5 * Math.min(1, lead * 2);
    const confidence = Math.round(coverage * specificity * ambiguity * 100) / 100;
    return { article, confidence, terms: top.terms };
  };

  // A message often wraps its question in other sentences ("Hi! I moved. Can I change the address?"):
  // the whole text and each sentence are tried, and the surest match wins.
  return (text) => {
    const sentences = text.split(/(?<=[.!?\n])\s+/).filter((sentence) => sentence.trim());
    const candidates = sentences.length > 1 ? [text, ...sentences] : [text];
    let best: Match | undefined;
    for (const candidate of candidates) {
      const found = match(candidate);
      if (found && (!best || found.confidence > best.confidence)) best = found;
    }
    return best;
  };
}

/** The paragraph of an article that holds most of the matched terms (the first one on a tie). */
export function bestParagraph(article: Article, matchedTerms: readonly string[]): string {
  const wanted = new Set(matchedTerms);
  let best = '';
  let bestHits = -1;
  for (const paragraph of article.body.split(/\n\s*\n/)) {
    const text = paragraph.trim();
    if (!text) continue;
    const hits = searchTerms(text).filter((term) => wanted.has(term)).length;
    if (hits > bestHits) {
      best = text;
      bestHits = hits;
    }
  }
  return best;
}
