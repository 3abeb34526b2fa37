import { describe, expect, it } from 'vitest';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { buildPassageIndex } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { evaluateBedrock, evaluateKnowledgeBase, loadQuestions, sampleKnowledgeBase, tally } from './eval.js';

const policy = loadRoutingPolicy();
const base = sampleKnowledgeBase(SAMPLE_KNOWLEDGE_BASE);
const index = await buildPassageIndex(base);
const heldOut = loadQuestions('held-out');

// Issue #19's goals are >= 85% of answerable questions answered correctly and no wrong answer. The
// held-out half measured 40 of 54 (74%) and 2 wrong when this was written, 44 of 54 (81%) and 2 wrong
// after the second round of tuning, again 44 and 2 after the third (the fourth look at the half), and
// 45 and 2 after the fourth (answer types and a second ranker; the fifth look), 46 and 2 after the fifth
// (vocabulary by class, 'and'-joined questions, the price check; the sixth look).
// These floors make a regression fail; raise them only to what a held-out run shows (npm run eval).
const CORRECT_FLOOR = 46;
const WRONG_CEILING = 2;

describe('the evaluation, held-out half', () => {
  it('keeps the split fixed: 150 questions or more, 40 or more to hand off, every article in both halves', () => {
    const tuning = loadQuestions('tune');
    expect(heldOut.length).toBeGreaterThanOrEqual(75);
    expect(tuning.length + heldOut.length).toBeGreaterThanOrEqual(150);
    expect(
      heldOut.filter((q) => q.handoff).length + tuning.filter((q) => q.handoff).length,
    ).toBeGreaterThanOrEqual(40);
    const articles = (questions: typeof heldOut) =>
      new Set(questions.flatMap((q) => q.expect ?? []).map((id) => id.split('#')[0]));
    expect(articles(heldOut)).toEqual(articles(tuning));
    expect(articles(heldOut).size).toBe(base.articles.length);
  });

  it('hands off every question that must go to a person, and answers within its floors', async () => {
    const figures = tally(await evaluateKnowledgeBase(heldOut, base, index, policy));
    expect(figures.handOffShare).toBe(1);
    expect(figures.wrong).toBeLessThanOrEqual(WRONG_CEILING);
    expect(figures.correct).toBeGreaterThanOrEqual(CORRECT_FLOOR);
  });

  it('answers the same through the Bedrock adapter, with the right passages in its prompt', async () => {
    const bedrock = await evaluateBedrock(heldOut, base, index, policy);
    const figures = tally(bedrock.outcomes);
    expect(figures.handOffShare).toBe(1);
    expect(figures.wrong).toBeLessThanOrEqual(WRONG_CEILING);
    expect(figures.correct).toBeGreaterThanOrEqual(CORRECT_FLOOR);
    expect(bedrock.rightPassagesInPrompt).toBeGreaterThanOrEqual(figures.correct);
  });
});
