/**
 * Issue #19 experiment: the README says reaching the goals will take "many more example questions per
 * paragraph written by the business". A business has them: the questions its customers asked in
 * answered conversations. This adds the text of every answerable tuning question (must-hand-off ones
 * never) as an example question of the paragraph it expects, in memory (the articles, synonyms and
 * calibration on disk are untouched), and measures whether that helps questions of a writer whose
 * questions are not among the examples:
 *   batch A  q838-q1093 (two blind writers), examples from every other tuning question;
 *   batch B  q1176-q1331 (a third blind writer), likewise;
 *   q1-q837  in 5 contiguous folds, each with examples from the other folds and the batches after.
 * No question is ever measured with itself as an example. Each is reported with the shipped
 * calibration, with the raw score against a swept threshold, and with a calibration refitted out of
 * sample: on the other units' outcomes, each unit scored with examples from neither it nor the
 * measured batch (nested cross-validation). A curve takes the examples from 25%, 50% and 100% of the
 * history (one seeded draw, each share inside the next). Then the history as a signal only, never as
 * a paragraph's terms: the shipped retrieval runs unchanged, and the customer question of the history
 * most like each question of the message (same folds, out of sample) may send an answer the calibration
 * holds back when it asked that one paragraph's need ("confirms"), or move a one-question answer to
 * its own paragraph when that one holds nearly as much of the question ("picks"); a refusal stays one.
 * Last, the cost: building the index and retrieving per message with every answerable tuning question
 * as an example, the examples' size, and the signal's look-up per message.
 * Tuning half only (q1-q1331); the held-out half is never loaded.
 *   POWERTOOLS_LOG_LEVEL=SILENT npx tsx test/eval/examples-experiment.ts
 */
import { performance } from 'node:perf_hooks';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { buildPassageIndex, type KnowledgeBase } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE, splitPassages } from '#shared/responder/knowledge-base-articles.js';
import { type Calibration, calibrate, fitCalibration } from '#shared/responder/knowledge-base-calibration.js';
import { questionsByPassage } from '#shared/responder/knowledge-base-examples.js';
import type { PassageIndex, SegmentMatch } from '#shared/responder/knowledge-base-index.js';
import { DEFAULT_THRESHOLD } from '#shared/responder/knowledge-base-responder.js';
import { createTermPipeline, SynonymsSchema, stemmerFor } from '#shared/responder/knowledge-base-terms.js';
import {
  evaluateKnowledgeBase,
  loadQuestions,
  type Outcome,
  type Question,
  sampleKnowledgeBase,
  tally,
} from './eval.js';

const policy = loadRoutingPolicy();
/** The policy with no confidence bar of its own: every retrieval that answers is answered, for replay. */
const openPolicy = { ...policy, escalation: { ...policy.escalation, aiConfidenceThreshold: 0 } };
/** The confidence an answer needs in production: the responder's bar or the policy's, the higher. */
const NEEDED = Math.max(DEFAULT_THRESHOLD, policy.escalation.aiConfidenceThreshold);
const shipped = sampleKnowledgeBase(SAMPLE_KNOWLEDGE_BASE);
const raw: KnowledgeBase = { ...shipped, calibration: undefined };
const RAW_THRESHOLDS = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];

const idNumber = (q: Question) => Number(q.id.replace(/\D/g, ''));
const tune = loadQuestions('tune').filter((q) => idNumber(q) <= 1331);

/** A block of questions measured or held out together. */
interface Unit {
  name: string;
  questions: Question[];
}

const span = (name: string, from: number, to: number): Unit => ({
  name,
  questions: tune.filter((q) => idNumber(q) >= from && idNumber(q) <= to),
});
const FOLDS = 5;
const EARLY = 837;
const folds = Array.from({ length: FOLDS }, (_, i) =>
  span(`fold ${i + 1}`, Math.floor((i * EARLY) / FOLDS) + 1, Math.floor(((i + 1) * EARLY) / FOLDS)),
);
const batchA = span('A q838-q1093', 838, 1093);
const batchB = span('B q1176-q1331', 1176, 1331);
// Never measured (its writers' questions served development): only ever a source of examples.
const UNITS = [...folds, batchA, span('q1094-q1175', 1094, 1175), batchB];

/** mulberry32: a seeded draw, so the curve's shares are the same questions on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each answerable question's place in one shuffled history: a share f holds the first f of it. */
const historyRank = (() => {
  const answerable = tune.filter((q) => q.expect);
  const random = seeded(19);
  const order = answerable.map((q) => ({ q, key: random() })).sort((a, b) => a.key - b.key);
  return new Map(order.map(({ q }, i) => [q.id, i / answerable.length]));
})();

/** Which answered questions of the history a business adds as examples. */
interface Selection {
  label: string;
  keep: (q: Question) => boolean;
}

const share = (fraction: number): Selection => ({
  label: `history ${fraction * 100}%`,
  keep: (q) => (historyRank.get(q.id) ?? 1) < fraction,
});
const NONE: Selection = { label: 'no history', keep: () => false };
const ALL = share(1);
/** What an editor might keep: short questions of one need (a long message's chatter becomes terms). */
const SHORT: Selection = {
  label: 'short one-need history',
  keep: (q) => q.expect?.length === 1 && q.text.split(/\s+/).length <= SHORT_WORDS,
};
const SHORT_WORDS = 12;
const SELECTIONS = [NONE, share(0.25), share(0.5), ALL, SHORT];

/** The customers' questions of the history, minus the units held out, as example questions. */
function history(excluded: readonly Unit[], selection: Selection): Question[] {
  const out = new Set(excluded.flatMap((unit) => unit.questions));
  return tune.filter((q) => q.expect && !out.has(q) && selection.keep(q));
}

/**
 * The front-matter lines a business would add: the question on one line, given to the paragraph it
 * expects (the first of alternatives "a#1|b#2"; a message asking two things goes to both paragraphs).
 */
function exampleLines(questions: readonly Question[]): Map<string, string[]> {
  const lines = new Map<string, string[]>();
  for (const question of questions) {
    for (const entry of question.expect ?? []) {
      const [article = '', paragraph = '1'] = (entry.split('|')[0] ?? '').split('#');
      const text = question.text.replace(/\s+/g, ' ').trim();
      lines.set(article, [...(lines.get(article) ?? []), `[${paragraph}] ${text}`]);
    }
  }
  return lines;
}

/** The shipped articles, uncalibrated, with the questions as extra example questions. */
function withExamples(questions: readonly Question[]): KnowledgeBase {
  const lines = exampleLines(questions);
  return {
    ...raw,
    articles: raw.articles.map((article) => ({
      ...article,
      questions: [...(article.questions ?? []), ...(lines.get(article.id) ?? [])],
    })),
  };
}

const indexes = new Map<string, Promise<{ base: KnowledgeBase; index: PassageIndex }>>();
const runs = new Map<string, Promise<Outcome[]>>();

/** A base with its index, built once per set of examples. */
function indexed(excluded: readonly Unit[], selection: Selection) {
  const key = selection === NONE ? 'none' : `${excluded.map((u) => u.name).sort()}@${selection.label}`;
  let found = indexes.get(key);
  if (!found) {
    const base = withExamples(history(excluded, selection));
    found = buildPassageIndex(base).then((index) => ({ base, index }));
    indexes.set(key, found);
  }
  return { key, found };
}

/**
 * A unit's outcomes with the examples of the history but the excluded units, answered whenever
 * retrieval answers (no calibration, no bar): every rule below is a replay of these.
 */
function openRun(unit: Unit, excluded: readonly Unit[], selection: Selection): Promise<Outcome[]> {
  const { key, found } = indexed(excluded, selection);
  const runKey = `${unit.name}|${key}`;
  let run = runs.get(runKey);
  if (!run) {
    run = found.then(({ base, index }) => evaluateKnowledgeBase(unit.questions, base, index, openPolicy, 0));
    runs.set(runKey, run);
  }
  return run;
}

/** Whether an answer with this raw retrieval score is sent. */
type Rule = (score: number) => boolean;
const byCalibration =
  (calibration: Calibration): Rule =>
  (score) =>
    calibrate(calibration, score) >= NEEDED;
const atLeast =
  (threshold: number): Rule =>
  (score) =>
    score >= threshold;

/** The outcomes had answers under the rule been handed off. */
function replay(outcomes: readonly Outcome[], rule: Rule): Outcome[] {
  return outcomes.map((o) => {
    if (!o.quoted.length || rule(o.score)) return o;
    const verdict = o.question.expect ? 'handed off though answerable' : 'handed off correctly';
    return { ...o, verdict, quoted: [] };
  });
}

/** A calibration fitted as `npm run eval -- --calibrate` does, on the answers of open outcomes. */
function refit(outcomes: readonly Outcome[]): Calibration {
  const answered = outcomes.filter((o) => o.quoted.length);
  return fitCalibration(answered.map((o) => ({ score: o.score, right: o.verdict === 'answered correctly' })));
}

/** The raw score from which a calibration lets an answer through. */
const bar = (calibration: Calibration) =>
  calibration.steps.find((step) => step.right >= NEEDED)?.score ?? Number.POSITIVE_INFINITY;

/** One measured unit at one share of history: its open outcomes and the refitted calibration. */
async function measure(unit: Unit, selection: Selection) {
  const outcomes = await openRun(unit, [unit], selection);
  const others: Outcome[] = [];
  for (const other of UNITS)
    if (other !== unit) others.push(...(await openRun(other, [unit, other], selection)));
  return { outcomes, calibration: refit(others) };
}

interface Line {
  label: string;
  outcomes: Outcome[];
}

function table(title: string, lines: readonly Line[]) {
  const first = lines[0] ? tally(lines[0].outcomes) : undefined;
  console.log(
    `\n${title}: ${first?.answerable} answerable, ${first?.mustHandOff} must hand off (Δ against the first line)`,
  );
  console.log(
    `  ${'variant'.padEnd(52)} right wrong handed-off-answerable must-hand-off-handed-off   Δright Δwrong`,
  );
  for (const line of lines) {
    const t = tally(line.outcomes);
    const dRight = t.correct - (first?.correct ?? 0);
    const dWrong = t.wrong - (first?.wrong ?? 0);
    const sign = (n: number) => (n > 0 ? `+${n}` : `${n}`);
    console.log(
      `  ${line.label.padEnd(52)} ${String(t.correct).padStart(5)} ${String(t.wrong).padStart(5)} ${String(t.handedOffAnswerable).padStart(21)} ${`${t.handedOffCorrectly}/${t.mustHandOff}`.padStart(24)}   ${sign(dRight).padStart(6)} ${sign(dWrong).padStart(6)}`,
    );
  }
}

/** The shipped responder as production runs it, against the replay of the open run: they must agree. */
async function checkReplay() {
  const index = await buildPassageIndex(shipped);
  const real = await evaluateKnowledgeBase(tune, shipped, index, policy);
  const replayed = replay((await Promise.all(UNITS.map((u) => openRun(u, [], NONE)))).flat(), shippedRule());
  const differ = real.filter((o) => replayed.find((r) => r.question === o.question)?.verdict !== o.verdict);
  console.log(
    `replay check: the shipped responder and the replay of the open run differ on ${differ.length} of ${real.length} tuning questions`,
  );
}

function shippedRule(): Rule {
  if (!shipped.calibration) throw new Error('the sample knowledge base has no calibration.json');
  return byCalibration(shipped.calibration);
}

/** The most right answers of any raw threshold (0.30 to 0.90) that gives at most `budget` wrong ones. */
function frontier(outcomes: readonly Outcome[], budget: number): string {
  let best: { t: number; right: number } | undefined;
  for (let i = 30; i <= 90; i += 1) {
    const t = tally(replay(outcomes, atLeast(i / 100)));
    if (t.wrong <= budget && t.correct > (best?.right ?? -1)) best = { t: i / 100, right: t.correct };
  }
  return best ? `${best.right} (>= ${best.t.toFixed(2)})` : '-';
}

/** One batch (or the folds together) under each selection of history and each rule. */
async function report(title: string, units: readonly Unit[]) {
  const lines: Line[] = [];
  const results = new Map<Selection, { open: Outcome[]; refitted: Outcome[] }>();
  for (const selection of SELECTIONS) {
    const measured = await Promise.all(units.map((unit) => measure(unit, selection)));
    const bars = measured.map((m) => bar(m.calibration));
    const refitted = measured.flatMap((m) => replay(m.outcomes, byCalibration(m.calibration)));
    const open = measured.flatMap((m) => m.outcomes);
    results.set(selection, { open, refitted });
    lines.push({ label: `${selection.label}, shipped calibration`, outcomes: replay(open, shippedRule()) });
    const range = `${Math.min(...bars).toFixed(2)}-${Math.max(...bars).toFixed(2)}`;
    lines.push({ label: `${selection.label}, refitted (bar ${range})`, outcomes: refitted });
  }
  lines.push(...(await signalLines(units)));
  summary.push({ title, lines: lines.filter((l) => SUMMARY.some((label) => l.label.startsWith(label))) });
  for (const selection of [NONE, ALL, SHORT]) {
    for (const t of RAW_THRESHOLDS) {
      const open = results.get(selection)?.open ?? [];
      lines.push({ label: `${selection.label}, raw score >= ${t}`, outcomes: replay(open, atLeast(t)) });
    }
  }
  table(title, lines);
  const shippedWrong = tally(lines[0]?.outcomes ?? []).wrong;
  const budgets = [shippedWrong, shippedWrong + 3, shippedWrong + 10];
  console.log(`  most right of any raw threshold, at most ${budgets.join(' / ')} wrong:`);
  for (const [selection, { open }] of results) {
    const cells = budgets.map((budget) => frontier(open, budget).padEnd(16)).join(' ');
    console.log(`    ${selection.label.padEnd(36)} ${cells}`);
  }
  const before = replay(results.get(NONE)?.open ?? [], shippedRule());
  const after = replay(results.get(ALL)?.open ?? [], shippedRule());
  console.log(`  what history 100% changed (shipped calibration): ${transitions(before, after)}`);
}

const SHORT_VERDICT: Record<Outcome['verdict'], string> = {
  'answered correctly': 'right',
  'answered wrongly': 'wrong',
  'handed off though answerable': 'handed-off-answerable',
  'handed off correctly': 'handed-off-rightly',
};

/** How many questions went from each verdict to another, question by question. */
function transitions(before: readonly Outcome[], after: readonly Outcome[]): string {
  const counts = new Map<string, number>();
  before.forEach((o, i) => {
    const later = after[i];
    if (!later || later.verdict === o.verdict) return;
    const key = `${SHORT_VERDICT[o.verdict]} -> ${SHORT_VERDICT[later.verdict]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return [...counts].map(([key, n]) => `${key} ${n}`).join(', ');
}

/**
 * The shipped term pipeline and term weights, rebuilt here as `buildPassageIndex` builds them from the
 * shipped articles only: a history question never becomes vocabulary, a passage's terms or a weight.
 */
async function shippedTerms() {
  const vocabulary = shipped.articles.flatMap((a) => [a.title, a.body, ...(a.questions ?? [])]);
  const synonyms = shipped.synonyms ?? SynonymsSchema.parse({});
  const pipeline = createTermPipeline(await stemmerFor(shipped.language), synonyms, vocabulary);
  const passageTerms = new Map<string, { terms: Set<string>; parts: Set<string> }>();
  const articleTerms: Set<string>[] = [];
  for (const article of shipped.articles) {
    const passages = splitPassages(article);
    const asked = questionsByPassage(article, passages, pipeline);
    const all = new Set(pipeline.terms(article.title, true));
    for (const passage of passages) {
      const text = `${article.title}\n${(asked.get(passage.id) ?? []).join('\n')}\n${passage.text}`;
      const terms = new Set(pipeline.terms(text.slice(article.title.length)));
      const parts = new Set(pipeline.terms(text, true).filter((term) => !terms.has(term)));
      for (const term of [...terms, ...parts]) all.add(term);
      passageTerms.set(passage.id, { terms, parts });
    }
    articleTerms.push(all);
  }
  const count = shipped.articles.length;
  const minor = (term: string) => /\d/.test(term) || QUESTION_WORDS.has(term);
  const weight = (term: string) => {
    if (minor(term)) return 0.1;
    const df = articleTerms.filter((terms) => terms.has(term)).length;
    if (df === 0) return pipeline.known(term) ? 0.5 : Math.log(1 + count / 0.5);
    return Math.log(1 + count / (df + 0.5));
  };
  /** The share of a text's terms (by weight) a passage holds, as the shipped ranker counts it. */
  const coverage = (terms: readonly string[], passageId: string) => {
    const found = passageTerms.get(passageId);
    if (!found) return 0;
    const total = terms.reduce((sum, t) => sum + weight(t), 0);
    const covered = terms.reduce(
      (sum, t) => sum + (found.terms.has(t) ? weight(t) : found.parts.has(t) ? weight(t) / 2 : 0),
      0,
    );
    return total ? covered / total : 0;
  };
  return { pipeline, weight, coverage };
}
// The shipped index's question words (knowledge-base-index.ts), which weigh 0.1 there as here.
const QUESTION_WORDS = new Set(['how', 'where', 'when', 'what', 'which', 'why', 'who']);
const termsOf = await shippedTerms();

/** The customer question of the history most like a text, and the paragraphs it was answered from. */
interface Nearest {
  similarity: number;
  /** Every paragraph its expected answer names (alternatives included). */
  points: Set<string>;
  /** The one paragraph it needs, when it asked one thing. */
  single?: string;
  /** Its terms. */
  terms: ReadonlySet<string>;
}

/**
 * The history as a nearest-question index, built once: each question's terms (the shipped pipeline,
 * so a history question's words never become vocabulary) and their weight, and an inverted list from a
 * term to the questions holding it: a message is compared only with the history questions it shares a
 * term of weight with, and the shared weight is summed along the lists.
 */
function historyIndex(questions: readonly Question[]) {
  const { pipeline, weight } = termsOf;
  const stored = questions.map((q) => {
    const expect = q.expect ?? [];
    const points = new Set(expect.flatMap((entry) => entry.split('|')));
    const single = expect.length === 1 ? expect[0]?.split('|')[0] : undefined;
    const terms = pipeline.terms(q.text);
    const total = terms.reduce((sum, term) => sum + weight(term), 0);
    return { points, total, ...(single ? { single } : {}), terms: new Set(terms) };
  });
  const holding = new Map<string, number[]>();
  for (const [i, entry] of stored.entries()) {
    for (const term of entry.terms) holding.set(term, [...(holding.get(term) ?? []), i]);
  }
  // The likeness of `similarity` (shared terms' weight over all terms'), summed along the lists.
  return (asked: readonly string[]): Nearest | undefined => {
    const terms = [...new Set(asked)];
    const weights = terms.map(weight);
    const total = weights.reduce((sum, w) => sum + w, 0);
    const shared = new Map<number, number>();
    const telling = new Set<number>();
    for (const [t, term] of terms.entries()) {
      const w = weights[t] ?? 0;
      for (const i of holding.get(term) ?? []) {
        shared.set(i, (shared.get(i) ?? 0) + w);
        if (w > 0.1) telling.add(i);
      }
    }
    let best: Nearest | undefined;
    for (const i of telling) {
      const entry = stored[i];
      const both = shared.get(i) ?? 0;
      const alike = entry ? both / (total + entry.total - both) : 0;
      if (entry && alike > (best?.similarity ?? 0)) {
        best = { ...entry, similarity: alike };
      }
    }
    return best;
  };
}

/** The history-as-signal variant: how close the nearest question must be to pick and to confirm. */
interface SignalRule {
  label: string;
  /** Switch a one-question answer to the nearest question's paragraph from this likeness (never: 2). */
  pick: number;
  /** Send an answer the calibration holds back when the nearest question is this alike and agrees. */
  confirm: number;
  /** The other paragraph must hold at least this share of what the answered one holds of the question. */
  held: number;
  /** Confirm only as `vouches` strictly does. */
  strict: boolean;
}

const SIGNAL_RULES: SignalRule[] = [
  ...[0.5, 0.7].map((t) => ({
    label: `history confirms at >= ${t}, any`,
    pick: 2,
    confirm: t,
    held: 1,
    strict: false,
  })),
  ...[0.6, 0.7, 0.8, 0.9].map((t) => ({
    label: `history confirms at >= ${t}, strict`,
    pick: 2,
    confirm: t,
    held: 1,
    strict: true,
  })),
  ...[0.7, 0.8].map((t) => ({
    label: `history picks at >= ${t}`,
    pick: t,
    confirm: 2,
    held: 0.8,
    strict: true,
  })),
  { label: 'history picks and confirms at >= 0.7, strict', pick: 0.7, confirm: 0.7, held: 0.8, strict: true },
];

/**
 * Whether the nearest history question vouches for a paragraph answering a question. `any`: it is this
 * alike and its answer names the paragraph. `strict`: it also asked one thing, from that paragraph, and
 * every term of weight of the question is the history question's or the paragraph's (a question about
 * a dress is not vouched for by one about shoes).
 */
function vouches(text: string, id: string, near: Nearest | undefined, rule: SignalRule): boolean {
  if (!near || near.similarity < rule.confirm || !near.points.has(id)) return false;
  if (!rule.strict) return true;
  const { pipeline, weight, coverage } = termsOf;
  const stray = pipeline
    .terms(text)
    .some((t) => weight(t) > 0.1 && !near.terms.has(t) && coverage([t], id) === 0);
  return near.single === id && !stray;
}

/** The verdict on a reply quoting these passages, as the evaluation judges it. */
function judgeQuoted(question: Question, quoted: readonly string[]): Outcome['verdict'] {
  if (!question.expect) return quoted.length ? 'answered wrongly' : 'handed off correctly';
  if (!quoted.length) return 'handed off though answerable';
  const options = question.expect.map((entry) => entry.split('|'));
  const same =
    quoted.length === options.length && options.every((ids) => ids.some((id) => quoted.includes(id)));
  return same ? 'answered correctly' : 'answered wrongly';
}

/**
 * One open outcome of the shipped retrieval under a signal rule. Only an answer retrieval already gives
 * is touched (a refusal for a word no article holds, a missing kind of answer or a tie stays one): its
 * paragraph may become the nearest history question's when that paragraph holds nearly as much of
 * the question, and it is sent below the calibration's bar when every question of the message has a
 * history question that close pointing at its paragraph. Otherwise the shipped calibration decides.
 */
function withSignal(
  o: Outcome,
  segments: readonly SegmentMatch[],
  near: readonly (Nearest | undefined)[],
  rule: SignalRule,
) {
  if (!o.quoted.length) return o;
  let quoted = o.quoted;
  let passages = segments.map((s) => s.passage?.id ?? '');
  const first = near[0];
  const only = segments[0];
  if (segments.length === 1 && only?.passage && first?.single && first.similarity >= rule.pick) {
    const current = only.passage.id;
    const terms = termsOf.pipeline.terms(only.text);
    const held = termsOf.coverage(terms, first.single) >= rule.held * termsOf.coverage(terms, current);
    if (!first.points.has(current) && held && quoted.length === 1 && quoted[0] === current) {
      quoted = [first.single];
      passages = [first.single];
    }
  }
  const confirmed = passages.every((id, i) => vouches(segments[i]?.text ?? '', id, near[i], rule));
  const sent = confirmed || shippedRule()(o.score);
  const shown = sent ? quoted : [];
  const verdict = judgeQuoted(o.question, shown);
  return { ...o, quoted: shown, verdict };
}

/**
 * Each unit's shipped open outcomes under every signal rule, the history being every answerable tuning
 * question but the unit's own (out of sample, as the example-question rows).
 */
async function signalLines(units: readonly Unit[]): Promise<Line[]> {
  const { index } = await indexed([], NONE).found;
  const byRule = SIGNAL_RULES.map(() => [] as Outcome[]);
  for (const unit of units) {
    const nearest = historyIndex(history([unit], ALL));
    const outcomes = await openRun(unit, [unit], NONE);
    for (const o of outcomes) {
      const segments = o.quoted.length ? index.search(o.question.text).segments : [];
      const near = segments.map((s) => nearest(termsOf.pipeline.terms(s.text)));
      for (const [i, rule] of SIGNAL_RULES.entries()) byRule[i]?.push(withSignal(o, segments, near, rule));
    }
  }
  return SIGNAL_RULES.map((rule, i) => ({ label: rule.label, outcomes: byRule[i] ?? [] }));
}

/** The lines of the closing summary: as shipped, history as examples, history as a signal. */
const SUMMARY = [
  'no history, shipped calibration',
  'history 100%, shipped calibration',
  'history confirms',
  'history picks',
];
const summary: { title: string; lines: Line[] }[] = [];

/** Right / wrong, must-hand-off handed off, per batch and line. */
function printSummary() {
  console.log('\nsummary (right / wrong, must-hand-off handed off):');
  for (const { title, lines } of summary) {
    console.log(`  ${title}`);
    for (const line of lines) {
      const t = tally(line.outcomes);
      console.log(
        `    ${line.label.padEnd(48)} ${t.correct} / ${t.wrong}, ${t.handedOffCorrectly} of ${t.mustHandOff}`,
      );
    }
  }
}

/** Milliseconds of `work`, alternating the variants round by round against drifting load. */
async function timeRounds(variants: readonly (() => Promise<unknown>)[], rounds: number) {
  const times = variants.map(() => [] as number[]);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, work] of variants.entries()) {
      const started = performance.now();
      await work();
      times[i]?.push(performance.now() - started);
    }
  }
  return times.map((list) => [...list].sort((a, b) => a - b));
}

/** Building and searching with every answerable tuning question as an example, and their size. */
async function cost() {
  const all = tune.filter((q) => q.expect);
  const lines = exampleLines(all);
  const added = [...lines.values()].flat();
  const bytes = (list: readonly string[]) =>
    list.reduce((sum, line) => sum + Buffer.byteLength(`  - ${line}\n`), 0);
  const shippedLines = shipped.articles.flatMap((a) => a.questions ?? []);
  console.log(
    `\nsize: ${added.length} example lines from ${all.length} answerable questions, ${(bytes(added) / 1024).toFixed(1)} KB of front matter (shipped: ${shippedLines.length} lines, ${(bytes(shippedLines) / 1024).toFixed(1)} KB)`,
  );
  const perArticle = [...lines].map(([id, list]) => `${id} ${list.length}`).join(', ');
  const long = added.filter((line) => line.replace(/^\[\d+\] /, '').length > 500).length;
  console.log(
    `  per article: ${perArticle}; the article schema allows 200 questions of 500 characters (${long} longer)`,
  );
  const big = withExamples(all);
  const builds = await timeRounds([() => buildPassageIndex(raw), () => buildPassageIndex(big)], 7);
  const [small, large] = [await buildPassageIndex(raw), await buildPassageIndex(big)];
  const texts = tune.map((q) => q.text);
  const searches = await timeRounds(
    [small, large].map((index) => async () => {
      for (const text of texts) index.search(text);
    }),
    7,
  );
  const median = (list: readonly number[] | undefined) => list?.[Math.floor(list.length / 2)] ?? 0;
  const range = (list: readonly number[] | undefined) =>
    `${(list?.[0] ?? 0).toFixed(1)}-${(list?.at(-1) ?? 0).toFixed(1)}`;
  console.log(
    `  index build: ${median(builds[0]).toFixed(1)} ms without (range ${range(builds[0])}), ${median(builds[1]).toFixed(1)} ms with (range ${range(builds[1])}); median of 7 rounds`,
  );
  const perMessage = (list: readonly number[] | undefined) =>
    ((median(list) / texts.length) * 1000).toFixed(0);
  console.log(
    `  retrieval per message over the ${texts.length} tuning questions: ${perMessage(searches[0])} µs without, ${perMessage(searches[1])} µs with; median of 7 rounds`,
  );
}

/** The signal's own cost: building the nearest-question index of the whole history, and a look-up per question. */
async function signalCost() {
  const all = tune.filter((q) => q.expect);
  const { index } = await indexed([], NONE).found;
  const texts = tune.map((q) => q.text);
  const segmentTexts = texts.flatMap((text) => index.search(text).segments.map((s) => s.text));
  const segmentTerms = segmentTexts.map((text) => termsOf.pipeline.terms(text));
  const builds = await timeRounds([async () => historyIndex(all)], 7);
  const nearest = historyIndex(all);
  const lookups = await timeRounds(
    [
      async () => {
        for (const text of segmentTexts) nearest(termsOf.pipeline.terms(text));
      },
      async () => {
        for (const terms of segmentTerms) nearest(terms);
      },
      async () => {
        for (const text of texts) index.search(text);
      },
    ],
    7,
  );
  const median = (list: readonly number[] | undefined) => list?.[Math.floor(list.length / 2)] ?? 0;
  const µs = (list: readonly number[] | undefined) => ((median(list) / texts.length) * 1000).toFixed(0);
  console.log(
    `  history as a signal: nearest-question index of ${all.length} questions built in ${median(builds[0]).toFixed(1)} ms; look-ups ${µs(lookups[0])} µs a message with the question's terms (${segmentTexts.length} questions in ${texts.length} messages), ${µs(lookups[1])} µs on terms retrieval already has, against ${µs(lookups[2])} µs for shipped retrieval; median of 7 rounds`,
  );
}

async function main() {
  await checkReplay();
  await report('Batch A, q838-q1093 (two blind writers)', [batchA]);
  await report('Batch B, q1176-q1331 (a third blind writer)', [batchB]);
  await report('q1-q837, 5 contiguous folds together', folds);
  printSummary();
  await cost();
  await signalCost();
}

await main();
