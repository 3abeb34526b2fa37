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
 * history (one seeded draw, each share inside the next). Last, the cost: building the index and
 * retrieving per message with every answerable tuning question as an example, and the examples' size.
 * Tuning half only (q1-q1331); the held-out half is never loaded.
 *   POWERTOOLS_LOG_LEVEL=SILENT npx tsx test/eval/examples-experiment.ts
 */
import { performance } from 'node:perf_hooks';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { buildPassageIndex, type KnowledgeBase } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { type Calibration, calibrate, fitCalibration } from '#shared/responder/knowledge-base-calibration.js';
import type { PassageIndex } from '#shared/responder/knowledge-base-index.js';
import { DEFAULT_THRESHOLD } from '#shared/responder/knowledge-base-responder.js';
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

async function main() {
  await checkReplay();
  await report('Batch A, q838-q1093 (two blind writers)', [batchA]);
  await report('Batch B, q1176-q1331 (a third blind writer)', [batchB]);
  await report('q1-q837, 5 contiguous folds together', folds);
  await cost();
}

await main();
