import MiniSearch from 'minisearch';
import {
  type AnswerKind,
  askedKinds,
  askingWords,
  givenKinds,
  givesAnswer,
  passageStatements,
  type Statement,
  spokenApart,
  unstatedKind,
} from './knowledge-base-answer-types.js';
import { type Article, KnowledgeBaseError, type Passage, splitPassages } from './knowledge-base-articles.js';
import { type Calibration, calibrate } from './knowledge-base-calibration.js';
import { questionsByPassage, similarity } from './knowledge-base-examples.js';
import {
  isQuestion,
  MAX_QUERY_CHARS,
  refersBack,
  splitSegments,
  withoutAsides,
} from './knowledge-base-segments.js';
import { readSituation } from './knowledge-base-situation.js';
import type { TermPipeline } from './knowledge-base-terms.js';
import { createTrigramRanker } from './knowledge-base-trigrams.js';

/** What one question of a message found: the passage that answers it, or why none does. */
export interface SegmentMatch {
  /** The question as the customer wrote it. */
  text: string;
  passage?: Passage;
  /** 0 to 1, before calibration: coverage of the question's terms, lowered by a close second article. */
  score: number;
  /** A term of the question that only another article (or none) holds: the passage cannot answer it. */
  missing?: string;
  /** Share of the question's terms (by weight) the passage holds, and its lead over the next passage. */
  coverage?: number;
  lead?: number;
  /** The lead over the best passage of another article. */
  rivalLead?: number;
  /** How alike the question is to the passage's closest example question. */
  example?: number;
  /**
   * A kind of answer the question asks for (a time, a price...) that the passage does not give, or
   * `together` when it speaks of the things asked about only in separate sentences.
   */
  unanswered?: AnswerKind | 'together';
  /** Whether the second (letter-trigram) ranker picks the same passage. */
  agrees?: boolean;
}

/** What a message found in the knowledge base. */
export interface Retrieval {
  /** The passages that answer the message's questions, one per question, best first; none when refused. */
  passages: Passage[];
  /** Calibrated: the share of answers at this confidence that were right on the tuning questions. */
  confidence: number;
  /** The uncalibrated score the confidence is read from (the lowest of the questions'). */
  score: number;
  /** Every question's match, answered or not, for the summary and the evaluation. */
  segments: SegmentMatch[];
  /** The best passages for the message whether or not they answer it, for a model's prompt. */
  candidates: Passage[];
}

/** Retrieval over a knowledge base's passages. */
export interface PassageIndex {
  search(text: string): Retrieval;
  /** The share of a text's words the knowledge base's language knows (its stop words and vocabulary). */
  familiar(text: string): number;
}

// Kept as terms ("where" points at tracking, "how" at steps) but never the subject of a question.
const QUESTION_WORDS = new Set(['how', 'where', 'when', 'what', 'which', 'why', 'who']);
// A second article (or an indistinguishable paragraph) scoring this close to the first makes the answer a coin toss.
const CLOSE_SECOND = 0.95;
// A passage that cannot give the kind of answer asked for ("how much" and no price) ranks this much lower.
const UNFIT_RANK = 0.7;
// The score is raised this much when the letter-trigram ranker picks the same passage, and lowered when
// it picks another (on the tuning half, 98% of agreeing answers were right against 86% of the others).
const AGREES = 1.1;
// Kinds of fact a passage may hold about something else than asked ("free exchanges" beside shoe sizes):
// the passage must also speak of the words that ask it.
const SPOKEN_OF: ReadonlySet<AnswerKind> = new Set(['price']);
const DIFFERS = 0.9;

interface IndexedPassage {
  passage: Passage;
  terms: Set<string>;
  /** Terms the passage holds only as words of its phrases ("debit" of "debit card"): they count half. */
  parts: Set<string>;
  /** The terms of each example question given to the passage. */
  examples: Set<string>[];
  /** The kinds of answer its text gives (a time, a price, a day, a phone number). */
  gives: Set<AnswerKind>;
  /** Its sentences' terms and facts, for a fact asked of one thing ("express" and not "international"). */
  statements: Statement[];
}

/** The passages indexed: their terms, MiniSearch over them, and how much each term says. */
interface Built {
  indexed: Map<string, IndexedPassage>;
  search: (terms: readonly string[]) => { id: string; score: number }[];
  /** Rarity (inverse article frequency); a term no article holds weighs most, unless a known word. */
  weight: (term: string) => number;
  /** A term no article holds in any form: the passage cannot answer a question about it. */
  unknown: (term: string) => boolean;
  /** Whether any article lists example questions (without any, likeness to them says nothing). */
  withExamples: boolean;
  /** The passage the second, letter-trigram ranker puts first. */
  second: (text: string) => string | undefined;
}

function indexArticles(articles: readonly Article[], pipeline: TermPipeline): Built {
  const indexed = new Map<string, IndexedPassage>();
  const documents: { id: string; title: string; questions: string; text: string }[] = [];
  const articleTerms: Set<string>[] = [];
  for (const article of articles) {
    const passages = splitPassages(article);
    const questions = questionsByPassage(article, passages, pipeline);
    const all = new Set(pipeline.terms(article.title, true));
    for (const passage of passages) {
      const asked = questions.get(passage.id) ?? [];
      const text = `${article.title}\n${asked.join('\n')}\n${passage.text}`;
      // The title says what the article is about, not the paragraph: its terms count half, as parts.
      const terms = new Set(pipeline.terms(text.slice(article.title.length)));
      const parts = new Set(pipeline.terms(text, true).filter((term) => !terms.has(term)));
      for (const term of [...terms, ...parts]) all.add(term);
      const examples = asked.map((question) => new Set(pipeline.terms(question)));
      const gives = givenKinds(passage.text);
      const statements = passageStatements(passage.text, (sentence) => pipeline.terms(sentence, true));
      indexed.set(passage.id, { passage, terms, parts, examples, gives, statements });
      documents.push({
        id: passage.id,
        title: article.title,
        questions: asked.join('\n'),
        text: passage.text,
      });
    }
    articleTerms.push(all);
  }
  const mini = new MiniSearch({
    fields: ['title', 'questions', 'text'],
    tokenize: (text) => pipeline.terms(text),
    processTerm: (term) => term,
    searchOptions: {
      tokenize: (text) => text.split(' ').filter(Boolean),
      boost: { title: 1.5, questions: 2 },
      combineWith: 'OR',
    },
  });
  mini.addAll(documents);

  const frequency = (term: string) => articleTerms.filter((terms) => terms.has(term)).length;
  const minor = (term: string) => /\d/.test(term) || QUESTION_WORDS.has(term);
  const unknownWeight = Math.log(1 + articles.length / 0.5);
  return {
    indexed,
    search: (terms) => mini.search(terms.join(' ')).map((r) => ({ id: String(r.id), score: r.score })),
    // A word the articles use only inside a phrase ("leave" of "leave the warehouse") says little.
    weight: (term) => {
      if (minor(term)) return 0.1;
      const df = frequency(term);
      if (df === 0) return pipeline.known(term) ? 0.5 : unknownWeight;
      return Math.log(1 + articles.length / (df + 0.5));
    },
    unknown: (term) => !minor(term) && frequency(term) === 0 && !pipeline.known(term),
    withExamples: articles.some((article) => article.questions?.length),
    second: createTrigramRanker(
      documents.map((doc) => ({ id: doc.id, text: `${doc.title}\n${doc.questions}\n${doc.text}` })),
    ),
  };
}

/**
 * The first kind of answer a question asks that a passage cannot give: the passage holds no such fact,
 * or (for a price) does not speak of the words asking it (the price of an exchange is not a shoe's),
 * or states it only of other things than the question's (express, not international express); or
 * `together` when the passage speaks of the things asked about only apart.
 */
function fitChecker(
  text: string,
  terms: readonly string[],
  pipeline: TermPipeline,
  weight: (term: string) => number,
): (found: IndexedPassage) => AnswerKind | 'together' | undefined {
  const asked = askedKinds(text);
  // The asking words' terms as the question reads them ("cost anything" is "free", not "cost").
  const asking = (Object.entries(askingWords(text)) as [AnswerKind, string][]).flatMap(([kind, words]) =>
    SPOKEN_OF.has(kind)
      ? [{ kind, terms: pipeline.terms(words).filter((t) => weight(t) > 0.1 && terms.includes(t)) }]
      : [],
  );
  // What the question asks about: its words of weight, not those that ask ("how much").
  const askingTerms = new Set(
    Object.values(askingWords(text)).flatMap((words) => pipeline.terms(words ?? '')),
  );
  const about = terms.filter((t) => weight(t) > 0.1 && !askingTerms.has(t));
  return (found) => {
    if (!givesAnswer(asked, found.gives)) return asked.find((kind) => !found.gives.has(kind));
    const holds = (t: string) => found.terms.has(t) || found.parts.has(t);
    const unspoken = asking.find((a) => a.terms.length > 0 && !a.terms.some(holds))?.kind;
    const unstated = unspoken ?? unstatedKind(asked, about, found.statements);
    return unstated ?? (spokenApart(about, found.statements) ? 'together' : undefined);
  };
}

/**
 * The passage that answers one question: the one holding most of it (its terms weighted by rarity),
 * then the one whose example question is most alike, BM25 (which counts repeats and favours short
 * passages) last. The score is that coverage, lowered when another passage comes close behind and
 * when the question is unlike every example question of the passage (down to half, when the articles
 * list any), and zero when another article nearly ties.
 */
function segmentMatcher(
  built: Built,
  pipeline: TermPipeline,
): (text: string, told?: ReadonlySet<string>) => SegmentMatch {
  const { indexed, weight } = built;
  const paragraphs = [...indexed.values()];
  return (text, told) => {
    const asked = pipeline.terms(withoutAsides(text));
    if (!asked.length) return { text, score: 0 };
    // What the message says of the parcel ("it's in transit") goes with the question.
    const situation = readSituation(new Set([...asked, ...(told ?? [])]), pipeline, paragraphs);
    // The question's own article decides which fact it holds: one search more, only when a fact is stated.
    const article = situation.states
      ? indexed.get(built.search(asked)[0]?.id ?? '')?.passage.article
      : undefined;
    const terms = situation.states ? [...new Set([...asked, ...situation.heldBy(article)])] : asked;
    const results = built.search(terms);
    const topScore = results[0]?.score ?? 0;
    const total = terms.reduce((sum, term) => sum + weight(term), 0);
    const unfit = fitChecker(text, terms, pipeline, weight);
    const ranked = results.flatMap((result) => {
      const found = indexed.get(result.id);
      if (!found || situation.contradicts(found)) return [];
      const covered = terms.reduce(
        (sum, t) => sum + (found.terms.has(t) ? weight(t) : found.parts.has(t) ? weight(t) / 2 : 0),
        0,
      );
      const coverage = covered / total;
      const example = Math.max(0, ...found.examples.map((e) => similarity(terms, e, weight)));
      const fits = unfit(found) === undefined;
      const rank = 0.6 * coverage + (0.2 * result.score) / topScore + 0.2 * example;
      return [{ found, coverage, example, fits, rank: fits ? rank : rank * UNFIT_RANK }];
    });
    ranked.sort((a, b) => b.rank - a.rank);
    const top = ranked[0];
    const missing = terms.find(built.unknown);
    const unanswered = top && !top.fits ? unfit(top.found) : undefined;
    const why = { ...(missing ? { missing } : {}), ...(unanswered ? { unanswered } : {}) };
    if (!top) return { text, score: 0, ...why };
    const rival = ranked.find((r) => r.found.passage.article !== top.found.passage.article);
    const rivalLead = rival ? 1 - rival.rank / top.rank : 1;
    const second = ranked[1];
    const lead = second ? 1 - second.rank / top.rank : 1;
    // Nothing in the question tells the chosen paragraph from a neighbour of the same article that
    // ranks as high: which of them answers is a coin toss.
    const tied =
      second !== undefined &&
      lead < 1 - CLOSE_SECOND &&
      second.found.passage.article === top.found.passage.article &&
      !terms.some((t) => weight(t) > 0.1 && top.found.terms.has(t) && !second.found.terms.has(t));
    const lexical =
      rivalLead < 1 - CLOSE_SECOND || tied
        ? 0
        : top.coverage *
          (0.5 + 0.3 * Math.min(1, rivalLead / 0.3) + 0.2 * Math.min(1, lead / 0.2)) *
          (built.withExamples ? 0.5 + 0.5 * top.example : 1);
    const agrees = lexical > 0 && built.second(text) === top.found.passage.id;
    const score = Math.min(top.coverage, lexical * (agrees ? AGREES : DIFFERS));
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return {
      text,
      passage: top.found.passage,
      score: round(score),
      coverage: round(top.coverage),
      lead: round(lead),
      rivalLead: round(rivalLead),
      example: round(top.example),
      agrees,
      ...why,
    };
  };
}

const answers = (m: SegmentMatch) => Boolean(m.passage && !m.missing && !m.unanswered && m.score > 0);
const surer = (a: SegmentMatch, b: SegmentMatch) =>
  (answers(b) ? b.score : -1) > (answers(a) ? a.score : -1) ? b : a;

/** Every question of a message matched (statements only when it asks none), or the message whole. */
function matchMessage(
  message: string,
  matchWith: (text: string, told?: ReadonlySet<string>) => SegmentMatch,
  told: ReadonlySet<string>,
) {
  // Every question is read knowing what the whole message tells ("it's in transit. can I still change
  // the address?" is about a parcel that has shipped).
  const matchSegment = (text: string) => matchWith(text, told);
  const parts = splitSegments(message);
  // A question is read alone and with the statement next to it ("I'm between M and L. Which
  // size?"): the surer reading wins, unless the statement points at another paragraph.
  const readQuestion = (i: number): SegmentMatch[] => {
    const question = parts[i] ?? '';
    const alone = matchSegment(question);
    // A question that says nothing by itself ("what now?", "any advice?") asks about all told before
    // it, not the nearest statement ("...not in my letterbox. my neighbours do not have it. what now?").
    if (!alone.passage) {
      const told = parts.slice(0, i).filter((part) => !isQuestion(part));
      return [matchSegment([...told, question].join('\n'))];
    }
    let best = alone;
    for (const side of [parts[i - 1], parts[i + 1]]) {
      if (!side || isQuestion(side)) continue;
      const read = matchSegment(`${side}\n${question}`);
      // "...I want to stop the order. Can I do that online?": what "that" is, the statement before says.
      if (side === parts[i - 1] && refersBack(question) && read.passage !== alone.passage) return [read];
      const differs = answers(read) && answers(alone) && read.passage !== alone.passage;
      if (differs) {
        // A statement that is a need of its own ("parcel says delivered but it's not here. also what
        // times are you open") is answered beside a question that does not speak of it and is as sure
        // alone; one that changes which paragraph answers ("...? It hasn't shipped yet.") is read with it.
        const own = refersBack(question) || alone.score < read.score ? undefined : matchSegment(side);
        return own && answers(own) && own.passage === read.passage ? [alone, own] : [read];
      }
      best = surer(best, read);
    }
    return [best];
  };
  const asked = parts.flatMap((part, i) => (isQuestion(part) ? readQuestion(i) : []));
  const matches = asked.length ? asked : parts.map(matchSegment);
  let chosen = asked.length ? asked : matches.filter(answers);
  if (!chosen.length || (parts.length > 1 && !chosen.some(answers))) {
    const whole = matchSegment(message.slice(0, MAX_QUERY_CHARS));
    if (answers(whole) || !chosen.length) chosen = [whole];
  }
  return { chosen, matches };
}

/**
 * The score of the least sure passage a message is answered from: two questions answered from one
 * passage ("where's my parcel?? how can I see where it is") ask it twice, and the surer reading counts.
 */
function weakestPassage(chosen: readonly SegmentMatch[]): number {
  const byPassage = new Map<string, number>();
  for (const m of chosen) {
    const id = m.passage?.id ?? '';
    byPassage.set(id, Math.max(byPassage.get(id) ?? 0, m.score));
  }
  return Math.min(...byPassage.values());
}

/**
 * Passage retrieval (MiniSearch BM25 over paragraphs, with the article's title, the example questions
 * given to the paragraph and its text as fields) with a refusal rule: a question is not answered when
 * a key term of it is in no article, or when another article ranks nearly as high. Each question of
 * a message must be answered, or none is; the confidence is the calibrated score of the weakest.
 */
export function createPassageIndex(
  articles: readonly Article[],
  pipeline: TermPipeline,
  calibration?: Calibration,
): PassageIndex {
  if (!articles.length) throw new KnowledgeBaseError('the knowledge base has no articles');
  const matchSegment = segmentMatcher(indexArticles(articles, pipeline), pipeline);
  return {
    familiar: (text) => pipeline.familiar(text.slice(0, MAX_QUERY_CHARS)),
    search(message) {
      const told = new Set(pipeline.terms(message.slice(0, MAX_QUERY_CHARS)));
      const { chosen, matches } = matchMessage(message, matchSegment, told);
      const refused = !chosen.length || !chosen.every(answers);
      const score = refused ? 0 : weakestPassage(chosen);
      const passagesOf = (list: SegmentMatch[]) => [
        ...new Set(list.flatMap((m) => (m.passage ? [m.passage] : []))),
      ];
      return {
        passages: refused ? [] : passagesOf(chosen),
        confidence: refused ? 0 : calibrate(calibration, score),
        score,
        segments: chosen,
        candidates: passagesOf([...chosen, ...matches]),
      };
    },
  };
}
