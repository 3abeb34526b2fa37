import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import type { Responder } from '#shared/domain/responder.js';
import { decideRoute } from '#shared/domain/routing/decide-route.js';
import type { RouteInput } from '#shared/domain/routing/decision.js';
import { toAssessment } from '#shared/domain/routing/facts.js';
import type { RoutingPolicy } from '#shared/domain/routing/policy.js';
import { CustomerSchema, TimelineItemSchema } from '#shared/domain/timeline.js';
import { createBedrockResponder } from '#shared/responder/bedrock-responder.js';
import {
  buildPassageIndex,
  type KnowledgeBase,
  readKnowledgeBase,
} from '#shared/responder/knowledge-base.js';
import { type Passage, splitPassages } from '#shared/responder/knowledge-base-articles.js';
import { type Calibration, fitCalibration } from '#shared/responder/knowledge-base-calibration.js';
import type { PassageIndex } from '#shared/responder/knowledge-base-index.js';
import { answerSentences, createKnowledgeBaseResponder } from '#shared/responder/knowledge-base-responder.js';

/** One question of the evaluation: the passages a right answer quotes, or why a person must answer. */
export interface Question {
  id: string;
  split?: 'tune' | 'held-out';
  text: string;
  expect?: string[];
  handoff?: string;
}

/** What became of one question. */
export type Verdict =
  | 'answered correctly'
  | 'answered wrongly'
  | 'handed off though answerable'
  | 'handed off correctly';

export interface Outcome {
  question: Question;
  verdict: Verdict;
  /** Passages the reply quoted. */
  quoted: string[];
  /** The retrieval score behind the answer (0 when refused), for calibration. */
  score: number;
  confidence: number;
  reason?: string;
}

export const QUESTIONS_FILE = new URL('./questions.json', import.meta.url);

/**
 * The evaluation questions of a split, from the shipped file or a business's own (`--questions`): a
 * question without a `split` is a tuning question.
 */
export function loadQuestions(split?: Question['split'], file: string | URL = QUESTIONS_FILE): Question[] {
  const { questions } = JSON.parse(readFileSync(file, 'utf8')) as { questions: Question[] };
  return split ? questions.filter((q) => (q.split ?? 'tune') === split) : questions;
}

const NOW = new Date('2026-03-04T15:00:00.000Z');

/** The customer's context with one message on WhatsApp, and the routing input for it. */
function scenario(text: string, policy: RoutingPolicy) {
  const customer = CustomerSchema.parse({
    id: 'cus_eval',
    name: 'Alex Doe',
    identities: [{ kind: 'phone', value: '+15550000000' }],
    channels: ['whatsapp'],
    createdAt: '2026-03-01T00:00:00.000Z',
    openConversationId: 'conv_eval',
  });
  const message = TimelineItemSchema.parse({
    id: 'whatsapp:eval',
    type: 'message',
    channel: 'whatsapp',
    direction: 'inbound',
    text,
    at: NOW.toISOString(),
    customerId: customer.id,
    conversationId: 'conv_eval',
    contentType: 'text',
  });
  const base: RouteInput = {
    message: { channel: 'whatsapp', kind: 'message', text },
    conversation: { status: 'open', channelsBefore: [] },
    customer: {},
    policy,
    now: NOW,
  };
  return { context: { customer, timeline: [message], conversationId: 'conv_eval' }, base };
}

/** An expected entry may name alternatives ("returns#1|sizes#3"): either passage answers. */
const alternatives = (expect: readonly string[]) => expect.map((entry) => entry.split('|'));

function judge(question: Question, quoted: string[]): Verdict {
  if (!question.expect) return quoted.length ? 'answered wrongly' : 'handed off correctly';
  if (!quoted.length) return 'handed off though answerable';
  const options = alternatives(question.expect);
  const same =
    quoted.length === options.length && options.every((ids) => ids.some((id) => quoted.includes(id)));
  return same ? 'answered correctly' : 'answered wrongly';
}

/** The passages of a knowledge base whose text a reply quotes (without a question a passage opens with). */
export function quotedPassages(passages: readonly Passage[], reply: string | undefined): string[] {
  if (!reply) return [];
  return passages.filter((passage) => reply.includes(answerSentences(passage))).map((passage) => passage.id);
}

/**
 * One question as production runs it: the routing policy decides first (topics, asking for a
 * person), the responder answers, the policy decides again with its confidence.
 */
async function ask(
  question: Question,
  responder: Responder,
  passages: readonly Passage[],
  index: PassageIndex,
  policy: RoutingPolicy,
): Promise<Outcome> {
  const { context, base: input } = scenario(question.text, policy);
  let decision = decideRoute(input);
  let quoted: string[] = [];
  let confidence = 0;
  if (decision.target === 'ai') {
    const result = await responder.respond(context);
    confidence = result.confidence;
    decision = decideRoute({ ...input, ai: toAssessment(result) });
    if (decision.target === 'ai' && !result.handoff) quoted = quotedPassages(passages, result.reply);
  }
  const score = index.search(question.text).score;
  return { question, verdict: judge(question, quoted), quoted, score, confidence, reason: decision.reason };
}

/**
 * Runs the questions as production does: the routing policy decides first (topics, asking for a
 * person), the knowledge-base responder answers, the policy decides again with its confidence.
 */
export async function evaluateKnowledgeBase(
  questions: readonly Question[],
  base: KnowledgeBase,
  index: PassageIndex,
  policy: RoutingPolicy,
  threshold?: number,
): Promise<Outcome[]> {
  const responder: Responder = createKnowledgeBaseResponder({
    ...(threshold === undefined ? {} : { threshold }),
    articles: base.articles,
    ...(base.synonyms ? { synonyms: base.synonyms } : {}),
    ...(base.calibration ? { calibration: base.calibration } : {}),
  });
  const passages = base.articles.flatMap(splitPassages);
  const outcomes: Outcome[] = [];
  for (const question of questions) outcomes.push(await ask(question, responder, passages, index, policy));
  return outcomes;
}

/**
 * A stand-in for Bedrock that answers with every help-centre passage of its prompt (a model that
 * quotes what it was given), remembering each prompt.
 */
function fakeModel(prompts: string[]): BedrockRuntimeClient {
  const send = async (command: ConverseCommand) => {
    const system = command.input.system?.[0];
    const text = system && 'text' in system ? (system.text ?? '') : '';
    prompts.push(text);
    const passages = [...text.matchAll(/^\[\d+\] [^:]+: (.+)$/gm)].map((m) => m[1]);
    const answer = { reply: passages.join('\n\n'), confidence: 1, handoff: null, language: 'en' };
    return {
      output: { message: { role: 'assistant', content: [{ text: JSON.stringify(answer) }] } },
      stopReason: 'end_turn',
    };
  };
  return { send } as unknown as BedrockRuntimeClient;
}

/**
 * The same questions through the Bedrock adapter (its retrieval, refusal and prompt builder) with a
 * fake model that answers from the passages in its prompt: what it answers, and whether the right
 * passages were in the prompt when it was called.
 */
export async function evaluateBedrock(
  questions: readonly Question[],
  base: KnowledgeBase,
  index: PassageIndex,
  policy: RoutingPolicy,
): Promise<{ outcomes: Outcome[]; rightPassagesInPrompt: number; prompts: number }> {
  const passages = base.articles.flatMap(splitPassages);
  const prompts: string[] = [];
  const responder = createBedrockResponder({
    client: fakeModel(prompts),
    modelId: 'fake',
    knowledge: async () => index,
  });
  let rightPassagesInPrompt = 0;
  let prompted = 0;
  const outcomes: Outcome[] = [];
  for (const question of questions) {
    const before = prompts.length;
    const outcome = await ask(question, responder, passages, index, policy);
    const prompt = prompts.length > before ? prompts.at(-1) : undefined;
    if (prompt && question.expect) {
      prompted += 1;
      const inPrompt = passages.filter((p) => prompt.includes(p.text.replace(/\s+/g, ' '))).map((p) => p.id);
      if (alternatives(question.expect).every((ids) => ids.some((id) => inPrompt.includes(id)))) {
        rightPassagesInPrompt += 1;
      }
    }
    outcomes.push(outcome);
  }
  return { outcomes, rightPassagesInPrompt, prompts: prompted };
}

/** The four counts of a set of outcomes, and the goals' ratios. */
export function tally(outcomes: readonly Outcome[]) {
  const count = (verdict: Verdict) => outcomes.filter((o) => o.verdict === verdict).length;
  const answerable = outcomes.filter((o) => o.question.expect).length;
  const mustHandOff = outcomes.length - answerable;
  const correct = count('answered correctly');
  const wrong = count('answered wrongly');
  const handedOffAnswerable = count('handed off though answerable');
  const handedOffCorrectly = count('handed off correctly');
  return {
    questions: outcomes.length,
    answerable,
    mustHandOff,
    correct,
    wrong,
    handedOffAnswerable,
    handedOffCorrectly,
    correctShare: answerable ? correct / answerable : 1,
    handOffShare: mustHandOff ? handedOffCorrectly / mustHandOff : 1,
  };
}

/** The sample knowledge base as the responder reads it. */
export function sampleKnowledgeBase(folder: string): KnowledgeBase {
  return readKnowledgeBase(folder);
}

const CALIBRATION_COMMENT =
  'Written by npm run eval -- --calibrate from the tuning questions: from each retrieval score up, the share of answers that were right (isotonic fit). Recalibrate with your own questions when you replace the articles or synonyms.json.';

/**
 * Fits a knowledge base's calibration on its tuning questions (the raw retrieval score of every answer
 * given with no threshold, and whether it was right) and writes it to the folder's calibration.json,
 * the folder the articles were read from: the sample's, or a business's own (`--kb`). Refuses, writing
 * nothing, when no question was answered (a calibration with no step is refused at start).
 */
export async function calibrateFolder(
  folder: string,
  questions: readonly Question[],
  policy: RoutingPolicy,
): Promise<{ calibration: Calibration; answers: number }> {
  const raw = { ...readKnowledgeBase(folder), calibration: undefined };
  const open = { ...policy, escalation: { ...policy.escalation, aiConfidenceThreshold: 0 } };
  const outcomes = await evaluateKnowledgeBase(questions, raw, await buildPassageIndex(raw), open, 0);
  const answered = outcomes.filter((o) => o.quoted.length);
  if (!answered.length) {
    throw new Error(
      `none of the ${questions.length} tuning questions was answered from ${folder}: nothing to calibrate on (check each question's "expect" names a passage, <article>#<paragraph>)`,
    );
  }
  const calibration = fitCalibration(
    answered.map((o) => ({ score: o.score, right: o.verdict === 'answered correctly' })),
  );
  const file = join(folder, 'calibration.json');
  writeFileSync(file, `${JSON.stringify({ $comment: CALIBRATION_COMMENT, ...calibration }, null, 2)}\n`);
  return { calibration, answers: answered.length };
}
