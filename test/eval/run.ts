/**
 * npm run eval: the responder on the evaluation questions. Prints the held-out half's figures for the
 * knowledge-base responder and for the Bedrock prompt builder.
 *   npm run eval -- --calibrate   fits knowledge-base/calibration.json on the tuning half
 *   npm run eval -- --tuning      the tuning half only, with its misses: each question's passage, score,
 *                                 coverage, lead over the next passage, missing term (the held-out half is
 *                                 neither run nor printed, so tuning never looks at it)
 *   npm run eval -- --tuning --from q615 [--to q665]   the same for the tuning questions from q615 on (to q665):
 *                                 a probe batch; with --calibrate, the fit rests on those questions only (a
 *                                 development batch kept out of it: --calibrate --to q1175)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { buildPassageIndex } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { fitCalibration } from '#shared/responder/knowledge-base-calibration.js';
import {
  evaluateBedrock,
  evaluateKnowledgeBase,
  loadQuestions,
  type Outcome,
  sampleKnowledgeBase,
  tally,
} from './eval.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const fromId = args.has('--from') ? argv[argv.indexOf('--from') + 1] : undefined;
const toId = args.has('--to') ? argv[argv.indexOf('--to') + 1] : undefined;
const idNumber = (id: string) => Number(id.replace(/\D/g, ''));
const inBatch = (q: { id: string }) =>
  (!fromId || idNumber(q.id) >= idNumber(fromId)) && (!toId || idNumber(q.id) <= idNumber(toId));
const policy = loadRoutingPolicy();
const base = sampleKnowledgeBase(SAMPLE_KNOWLEDGE_BASE);

if (args.has('--calibrate')) {
  const raw = { ...base, calibration: undefined };
  const open = { ...policy, escalation: { ...policy.escalation, aiConfidenceThreshold: 0 } };
  const outcomes = await evaluateKnowledgeBase(
    loadQuestions('tune').filter(inBatch),
    raw,
    await buildPassageIndex(raw),
    open,
    0,
  );
  const answered = outcomes.filter((o) => o.quoted.length);
  const calibration = fitCalibration(
    answered.map((o) => ({ score: o.score, right: o.verdict === 'answered correctly' })),
  );
  const file = join(SAMPLE_KNOWLEDGE_BASE, 'calibration.json');
  const comment =
    'Written by npm run eval -- --calibrate from the tuning half of test/eval/questions.json: from each retrieval score up, the share of answers that were right (isotonic fit). Recalibrate with your own questions when you replace the articles or synonyms.json.';
  writeFileSync(file, `${JSON.stringify({ $comment: comment, ...calibration }, null, 2)}\n`);
  console.log(`calibrated on ${answered.length} tuning answers: ${JSON.stringify(calibration.steps)}`);
  base.calibration = calibration;
}

const index = await buildPassageIndex(base);
const heldOut = loadQuestions('held-out');

function print(title: string, outcomes: readonly Outcome[]) {
  const t = tally(outcomes);
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  console.log(
    `\n${title}: ${t.questions} questions (${t.answerable} answerable, ${t.mustHandOff} must hand off)`,
  );
  console.log(
    `  answered correctly            ${t.correct} (${pct(t.correctShare)} of answerable; goal >= 85%)`,
  );
  console.log(`  answered wrongly              ${t.wrong} (goal 0)`);
  console.log(`  handed off though answerable  ${t.handedOffAnswerable}`);
  console.log(
    `  handed off correctly          ${t.handedOffCorrectly} (${pct(t.handOffShare)} of must hand off; goal 100%)`,
  );
}

async function heldOutHalf() {
  const kb = await evaluateKnowledgeBase(heldOut, base, index, policy);
  print('Held-out half, knowledge-base responder', kb);
  const bedrock = await evaluateBedrock(heldOut, base, index, policy);
  print(
    'Held-out half, Bedrock adapter (fake model answers from the passages in its prompt)',
    bedrock.outcomes,
  );
  console.log(
    `  right passages in the prompt  ${bedrock.rightPassagesInPrompt} of ${bedrock.prompts} prompts for answerable questions`,
  );
  const goals = tally(kb);
  process.exitCode = goals.wrong === 0 && goals.correctShare >= 0.85 && goals.handOffShare === 1 ? 0 : 1;
}

async function tuningHalf() {
  const questions = loadQuestions('tune').filter(inBatch);
  const batch = fromId || toId ? ` from ${fromId ?? 'the first'} to ${toId ?? 'the last'}` : '';
  const tuning = await evaluateKnowledgeBase(questions, base, index, policy);
  print(`Tuning half${batch}, knowledge-base responder`, tuning);
  print('Tuning half, Bedrock adapter', (await evaluateBedrock(questions, base, index, policy)).outcomes);
  const rounds = 20;
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) for (const q of questions) index.search(q.text);
  const perQuestion = (performance.now() - started) / (rounds * questions.length);
  console.log(
    `  retrieval, warm: ${(perQuestion * 1000).toFixed(0)} µs per message (mean of ${rounds} rounds)`,
  );
  for (const o of tuning.filter(
    (x) => x.verdict !== 'answered correctly' && x.verdict !== 'handed off correctly',
  )) {
    const found = index.search(o.question.text);
    console.log(
      `  ${o.verdict}: ${o.question.id} "${o.question.text}" expect ${o.question.expect ?? o.question.handoff} quoted ${o.quoted} conf ${o.confidence} score ${o.score} (${o.reason}) segments ${JSON.stringify(found.segments.map((s) => [s.passage?.id, s.score, s.coverage, s.lead, s.missing, s.unanswered, s.agrees]))}`,
    );
  }
}

if (args.has('--tuning') || args.has('--calibrate')) await tuningHalf();
else await heldOutHalf();
