import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eld } from 'eld/small';
import MiniSearch, { type SearchResult } from 'minisearch';
import Sentiment from 'sentiment';
import * as z from 'zod';
import type { Sentiment as SentimentLabel } from '../domain/routing/decision.js';
import { ThreadlineError } from '../errors.js';
import {
  asksForPerson,
  buildHandoffSummary,
  type ConversationView,
  channelPhrase,
  firstName,
  foldText,
  type HandoffReason,
  pendingText,
  type Responder,
  type ResponderContext,
  type ResponderResult,
  viewConversation,
} from './responder.js';

/** One help article: `id` is its file name without `.md`, `title` its first heading, `body` plain text. */
export const ArticleSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  body: z.string().min(1),
});
export type Article = z.infer<typeof ArticleSchema>;

/** A knowledge base that cannot be used: no articles, an article without a heading or a body. */
export class KnowledgeBaseError extends ThreadlineError {
  override name = 'KnowledgeBaseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('knowledge_base_invalid', message, options);
  }
}

/** The sample articles that ship with Threadline (a small online clothing shop). */
export const SAMPLE_KNOWLEDGE_BASE = fileURLToPath(new URL('./knowledge-base/', import.meta.url));

/** Markdown as plain text: no heading marks, emphasis, code ticks or HTML; links keep text and URL. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>\n]+>/g, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, '$1 ($2)')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+/gm, '')
    .replace(/^[ \t]{0,3}>[ \t]?/gm, '')
    .replace(/^[ \t]*[*+][ \t]+/gm, '- ')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An article from a Markdown file's text: the title is its first heading, the body everything else. */
export function parseArticle(id: string, markdown: string): Article {
  const heading = /^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/m.exec(markdown);
  if (!heading?.[1]) throw new KnowledgeBaseError(`article ${id} has no heading to take its title from`);
  const body = markdownToText(
    markdown.slice(0, heading.index) + markdown.slice(heading.index + heading[0].length),
  );
  const parsed = ArticleSchema.safeParse({ id, title: markdownToText(heading[1]), body });
  if (!parsed.success) throw new KnowledgeBaseError(`article ${id} has no body`, { cause: parsed.error });
  return parsed.data;
}

/** Every `*.md` file of a folder as an article, in file-name order. Read once, at start-up. */
export function loadArticles(folder: string): Article[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.md'));
  } catch (error) {
    throw new KnowledgeBaseError(`cannot read the knowledge base folder ${folder}`, { cause: error });
  }
  return names
    .sort()
    .map((name) => parseArticle(basename(name, '.md'), readFileSync(join(folder, name), 'utf8')));
}

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

const analyser = new Sentiment();

/**
 * AFINN weights that misread a customer-service message. Words of an ordinary request ("wrong size",
 * "a problem with my payment", "I was charged", "please help") say nothing about the mood: 0.
 * Complaint words that AFINN rates mildly are raised, so one of them marks an upset customer.
 * Values are magnitudes: the library's sign (and its negation, "not happy") is kept.
 */
const SERVICE_LEXICON: Readonly<Record<string, number>> = {
  wrong: 0,
  problem: 0,
  problems: 0,
  broken: 0,
  damaged: 0,
  lost: 0,
  missing: 0,
  delay: 0,
  delayed: 0,
  cancel: 0,
  cancelled: 0,
  charged: 0,
  charges: 0,
  pay: 0,
  stop: 0,
  error: 0,
  fail: 0,
  failed: 0,
  mistake: 0,
  refused: 0,
  unable: 0,
  stuck: 0,
  limited: 0,
  loose: 0,
  hurt: 0,
  sorry: 0,
  excuse: 0,
  no: 0,
  worried: 0,
  worries: 0,
  worry: 0,
  please: 0,
  help: 0,
  want: 0,
  like: 0,
  free: 0,
  kind: 0,
  care: 0,
  yes: 0,
  true: 0,
  big: 0,
  huge: 0,
  useless: 3,
  unacceptable: 3,
  disappointed: 3,
  disappointing: 3,
  joke: 3,
  scam: 4,
};

/** The sentiment of a text with the service lexicon applied (AFINN-165 via `sentiment`). */
export function scoreSentiment(text: string): number {
  const { calculation } = analyser.analyze(text);
  let score = 0;
  for (const entry of calculation) {
    for (const [word, value] of Object.entries(entry)) {
      const magnitude = SERVICE_LEXICON[word];
      score += magnitude === undefined ? value : Math.sign(value) * magnitude;
    }
  }
  return score;
}

/**
 * The ISO 639-1 language of a text when the detector (eld) is sure of it; short texts such as "hi"
 * or "agent" give no reliable answer, and then none is claimed.
 */
export function detectLanguage(text: string): string | undefined {
  const result = eld.detect(text);
  return result.language && result.isReliable() ? result.language : undefined;
}

/** Settings of the knowledge-base responder; give `articles` or a `folder` of Markdown files. */
export type KnowledgeBaseResponderOptions = ({ articles: readonly Article[] } | { folder: string }) & {
  /** Below this confidence the responder hands off instead of answering (0 to 1, default 0.5). */
  threshold?: number;
  /** A sentiment score at or below this marks an upset customer (default -3). */
  negativeSentiment?: number;
  /** The language the articles are written in; a customer reliably detected in another is handed off. */
  language?: string;
  /** How far back a message on another channel is acknowledged in the greeting (default 7 days). */
  continuityWindowHours?: number;
  /** Send a short holding message with a handoff, when the customer writes in `language` (default on). */
  holdingReply?: boolean;
};

const SMALL_TALK_GREETING =
  /^(hi|hello|hey|hiya|good (morning|afternoon|evening))( there| all| team)?( \p{L}+)?$/u;
const SMALL_TALK_THANKS = /\b(thanks|thank you|thank u|thx|ty|cheers|great thanks|perfect)\b/;

/** The opening line: by name when the customer's name is known. */
function opening(name: string | undefined): string {
  return name ? `Hi ${name}` : 'Hi';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

const HOLDING_REPLIES: Partial<Record<HandoffReason, string>> = {
  asked_for_person: "Of course: I'm passing you to a colleague, who will answer you here shortly.",
  negative_sentiment:
    "I'm sorry about this. I'm passing your message to a colleague, who will answer you here shortly.",
  low_confidence: "Thanks for your message. I'm passing it to a colleague, who will answer you here shortly.",
};

/**
 * The local default responder: answers from Markdown help articles found by full-text search, and
 * hands off to a person when it is unsure, the customer is upset or asks for a person, or a human
 * already took over. Greets by name and acknowledges what the customer wrote on another channel.
 */
export function createKnowledgeBaseResponder(options: KnowledgeBaseResponderOptions): Responder {
  const articles = 'articles' in options ? [...options.articles] : loadArticles(options.folder);
  const search = createArticleIndex(articles);
  const threshold = options.threshold ?? 0.5;
  const negativeSentiment = options.negativeSentiment ?? -3;
  const kbLanguage = options.language ?? 'en';
  const windowMs = (options.continuityWindowHours ?? 24 * 7) * 3_600_000;
  const holdingReply = options.holdingReply ?? true;

  /** "I see you asked about tracking your parcel on WhatsApp earlier.", for a recent message elsewhere. */
  function continuity(view: ConversationView): string | undefined {
    const now = view.pending.at(-1)?.at;
    if (!now || !view.channel) return undefined;
    const since = Date.parse(now) - windowMs;
    const previous = view.earlier
      .filter((item) => item.channel && item.channel !== view.channel && Date.parse(item.at) >= since)
      .at(-1);
    if (!previous?.channel) return undefined;
    const match = previous.text ? search(previous.text) : undefined;
    const where = channelPhrase(previous.channel);
    return match && match.confidence >= threshold
      ? `I see you asked about ${lowerFirst(match.article.title)} ${where} earlier.`
      : `I see you wrote to us ${where} earlier.`;
  }

  return {
    async respond(context: ResponderContext): Promise<ResponderResult> {
      const view = viewConversation(context);
      if (!view.pending.length && !view.humanTookOver) return { confidence: 0 };
      const text = pendingText(view);
      const sentimentScore = text ? scoreSentiment(text) : undefined;
      const sentiment: SentimentLabel | undefined =
        sentimentScore === undefined
          ? undefined
          : sentimentScore <= negativeSentiment
            ? 'negative'
            : sentimentScore >= 2
              ? 'positive'
              : 'neutral';
      // Short messages rarely tell their language: fall back to the customer's recent history.
      const language =
        (text && detectLanguage(text)) ||
        detectLanguage(
          [...view.earlier.slice(-3).map((item) => item.text ?? ''), text].filter(Boolean).join('\n'),
        ) ||
        undefined;
      const match = text ? search(text) : undefined;
      const confidence = match?.confidence ?? 0;
      const signals = {
        ...(language ? { language } : {}),
        ...(sentiment ? { sentiment } : {}),
      };
      const sources = match ? { sources: [match.article.id] } : {};
      const name = firstName(context.customer);

      const handOff = (reason: HandoffReason): ResponderResult => {
        const holding =
          holdingReply && (!language || language === kbLanguage) ? HOLDING_REPLIES[reason] : undefined;
        return {
          ...(holding ? { reply: `${opening(name)}. ${holding}` } : {}),
          confidence,
          handoff: { reason, summary: buildHandoffSummary(context, view, { ...signals, sentimentScore }) },
          ...signals,
          ...sources,
        };
      };

      if (view.humanTookOver) return handOff('human_took_over');
      if (text && asksForPerson(text, language)) return handOff('asked_for_person');
      if (sentiment === 'negative') return handOff('negative_sentiment');
      if (language && language !== kbLanguage) return handOff('unsupported_language');

      const folded = foldText(text);
      if (!match && folded && SMALL_TALK_THANKS.test(folded)) {
        return {
          reply: `You're welcome${name ? `, ${name}` : ''}! Anything else I can help with?`,
          confidence: 1,
          ...signals,
        };
      }
      if (!match && folded && SMALL_TALK_GREETING.test(folded)) {
        return { reply: `${opening(name)}! How can I help you today?`, confidence: 1, ...signals };
      }
      if (!match || match.confidence < threshold) return handOff('low_confidence');

      const acknowledgement = continuity(view);
      const first = acknowledgement ? `${opening(name)} — ${acknowledgement}` : `${opening(name)},`;
      const answer = bestParagraph(match.article, match.terms);
      return {
        reply: `${first}\n\n${answer}\n\n(From our help article "${match.article.title}".)`,
        confidence,
        ...signals,
        ...sources,
      };
    },
  };
}
