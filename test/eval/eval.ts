import { readFileSync } from 'node:fs';
import { type ConversationView, type Responder, viewConversation } from '#shared/domain/responder.js';
import { decideRoute } from '#shared/domain/routing/decide-route.js';
import type { RouteInput } from '#shared/domain/routing/decision.js';
import { toAssessment } from '#shared/domain/routing/facts.js';
import type { RoutingPolicy } from '#shared/domain/routing/policy.js';
import { CustomerSchema, TimelineItemSchema } from '#shared/domain/timeline.js';
import { buildConverseInput } from '#shared/responder/bedrock-responder.js';
import { type KnowledgeBase, readKnowledgeBase } from '#shared/responder/knowledge-base.js';
import { type Passage, splitPassages } from '#shared/responder/knowledge-base-articles.js';
import type { PassageIndex } from '#shared/responder/knowledge-base-index.js';
import { createKnowledgeBaseResponder } from '#shared/responder/knowledge-base-responder.js';

/** One question of the evaluation: the passages a right answer quotes, or why a person must answer. */
export interface Question {
  id: string;
  split: 'tune' | 'held-out';
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

/** The evaluation questions of a split. */
export function loadQuestions(split?: Question['split']): Question[] {
  const { questions } = JSON.parse(readFileSync(QUESTIONS_FILE, 'utf8')) as { questions: Question[] };
  return split ? questions.filter((q) => q.split === split) : questions;
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

function judge(question: Question, quoted: string[]): Verdict {
  if (!question.expect) return quoted.length ? 'answered wrongly' : 'handed off correctly';
  if (!quoted.length) return 'handed off though answerable';
  // An expected entry may name alternatives ("returns#1|sizes#3"): either passage answers.
  const options = question.expect.map((entry) => entry.split('|'));
  const same =
    quoted.length === options.length && options.every((ids) => ids.some((id) => quoted.includes(id)));
  return same ? 'answered correctly' : 'answered wrongly';
}

/** The passages of a knowledge base whose text a reply quotes. */
export function quotedPassages(passages: readonly Passage[], reply: string | undefined): string[] {
  if (!reply) return [];
  return passages.filter((passage) => reply.includes(passage.text)).map((passage) => passage.id);
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
): Promise<Outcome[]> {
  const responder: Responder = createKnowledgeBaseResponder({
    articles: base.articles,
    ...(base.synonyms ? { synonyms: base.synonyms } : {}),
    ...(base.calibration ? { calibration: base.calibration } : {}),
  });
  const passages = base.articles.flatMap(splitPassages);
  const outcomes: Outcome[] = [];
  for (const question of questions) {
    const { context, base: input } = scenario(question.text, policy);
    const score = index.search(question.text).score;
    let decision = decideRoute(input);
    let quoted: string[] = [];
    let confidence = 0;
    if (decision.target === 'ai') {
      const result = await responder.respond(context);
      confidence = result.confidence;
      decision = decideRoute({ ...input, ai: toAssessment(result) });
      if (decision.target === 'ai' && !result.handoff) quoted = quotedPassages(passages, result.reply);
    }
    outcomes.push({
      question,
      verdict: judge(question, quoted),
      quoted,
      score,
      confidence,
      reason: decision.reason,
    });
  }
  return outcomes;
}

/**
 * The same questions through the Bedrock adapter's prompt builder, with a fake model that answers
 * with the first passage of its prompt: whether the retrieval refuses, and whether the right
 * passages are in the prompt when it does not.
 */
export function evaluateBedrockPrompt(
  questions: readonly Question[],
  base: KnowledgeBase,
  index: PassageIndex,
  policy: RoutingPolicy,
): { outcomes: Outcome[]; rightPassagesInPrompt: number; answeredInPrompt: number } {
  const passages = base.articles.flatMap(splitPassages);
  let rightPassagesInPrompt = 0;
  let answeredInPrompt = 0;
  const outcomes = questions.map((question): Outcome => {
    const { context, base: input } = scenario(question.text, policy);
    const found = index.search(question.text);
    const before = decideRoute(input);
    if (before.target !== 'ai' || !found.passages.length) {
      return { question, verdict: judge(question, []), quoted: [], score: found.score, confidence: 0 };
    }
    const view: ConversationView = viewConversation(context);
    const prompt = buildConverseInput(context, view, { modelId: 'fake' }, found.passages).system?.[0];
    const system = prompt && 'text' in prompt ? (prompt.text ?? '') : '';
    const inPrompt = passages.filter((p) => system.includes(p.text.replace(/\s+/g, ' '))).map((p) => p.id);
    if (question.expect) {
      answeredInPrompt += 1;
      const options = question.expect.map((entry) => entry.split('|'));
      if (options.every((ids) => ids.some((id) => inPrompt.includes(id)))) rightPassagesInPrompt += 1;
    }
    const after = decideRoute({ ...input, ai: { confidence: found.confidence } });
    const quoted = after.target === 'ai' ? inPrompt.slice(0, question.expect?.length ?? 1) : [];
    return {
      question,
      verdict: judge(question, quoted),
      quoted,
      score: found.score,
      confidence: found.confidence,
    };
  });
  return { outcomes, rightPassagesInPrompt, answeredInPrompt };
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
