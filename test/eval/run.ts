/**
 * npm run eval: the responder on the evaluation questions. Prints the held-out half's figures for the
 * knowledge-base responder and for the Bedrock prompt builder.
 *   npm run eval -- --calibrate   fits knowledge-base/calibration.json on the tuning half
 *   npm run eval -- --kb my-articles --questions my-questions.json [--calibrate]   the same with a
 *                                 business's own articles and questions: the fit is written to
 *                                 my-articles/calibration.json (ROUTING_POLICY_FILE: its policy)
 *   npm run eval -- --tuning      the tuning half only, with its misses: each question's passage, score,
 *                                 coverage, lead over the next passage, missing term (the held-out half is
 *                                 neither run nor printed, so tuning never looks at it)
 *   npm run eval -- --tuning --from q615 [--to q665]   the same for the tuning questions from q615 on (to q665):
 *                                 a probe batch; with --calibrate, the fit rests on those questions only (a
 *                                 development batch kept out of it: --calibrate --to q1175)
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { buildPassageIndex } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { DEFAULT_THRESHOLD } from '#shared/responder/knowledge-base-responder.js';
import {
  calibrateFolder,
  evaluateBedrock,
  evaluateKnowledgeBase,
  loadQuestions,
  type Outcome,
  QUESTIONS_FILE,
  sampleKnowledgeBase,
  tally,
} from './eval.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const flagValue = (flag: string) => (args.has(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const fromId = flagValue('--from');
const toId = flagValue('--to');
const idNumber = (id: string) => Number(id.replace(/\D/g, ''));
const inBatch = (q: { id: string }) =>
  (!fromId || idNumber(q.id) >= idNumber(fromId)) && (!toId || idNumber(q.id) <= idNumber(toId));
// A business's own articles and questions (`--kb`, `--questions`), and its policy (ROUTING_POLICY_FILE).
const folder = flagValue('--kb') ? resolve(flagValue('--kb') as string) : SAMPLE_KNOWLEDGE_BASE;
const questionsFile = flagValue('--questions') ? resolve(flagValue('--questions') as string) : QUESTIONS_FILE;
const policy = loadRoutingPolicy(process.env.ROUTING_POLICY_FILE || undefined);

if (args.has('--calibrate')) {
  const tuning = loadQuestions('tune', questionsFile).filter(inBatch);
  const { calibration, answers } = await calibrateFolder(folder, tuning, policy);
  console.log(
    `calibrated on ${answers} tuning answers, written to ${join(folder, 'calibration.json')}: ${JSON.stringify(calibration.steps)}`,
  );
  if (!calibration.steps.some((step) => step.right >= DEFAULT_THRESHOLD)) {
    console.log(
      `  no score reads ${DEFAULT_THRESHOLD} or more, the responder's own bar: it will answer none of these questions. A step reads ${DEFAULT_THRESHOLD} only on about 25 right answers or more with no wrong one at its score and above: write more questions (and example questions in the articles) and calibrate again.`,
    );
  }
}
const base = sampleKnowledgeBase(folder);

const index = await buildPassageIndex(base);
const heldOut = loadQuestions('held-out', questionsFile);

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
  const questions = loadQuestions('tune', questionsFile).filter(inBatch);
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
