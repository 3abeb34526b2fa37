import { describe, expect, it } from 'vitest';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { buildPassageIndex } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { evaluateBedrock, evaluateKnowledgeBase, loadQuestions, sampleKnowledgeBase, tally } from './eval.js';

const policy = loadRoutingPolicy();
const base = sampleKnowledgeBase(SAMPLE_KNOWLEDGE_BASE);
const index = await buildPassageIndex(base);
const heldOut = loadQuestions('held-out');

// Issue #19's goals are >= 85% of answerable questions answered correctly, no wrong answer and every
// must-hand-off question handed off. The second held-out half (written by two writers who saw only the
// articles) reached 52 of 84 right, 6 wrong and 38 of 43 handed off after three looks; it was once used for
// a decision, so on 2026-12-04 it joined the tuning half and a fourth writer's 168 questions replaced it.
// Their first look, with the responder unchanged: 61 of 115 right (53%), 8 wrong, 52 of 53 handed off;
// the second, after the eighth round (2026-12-04): 61 right, 7 wrong, 52 of 53 handed off.
// These floors make a regression fail; raise them only to what a held-out run shows (npm run eval).
const CORRECT_FLOOR = 61;
const WRONG_CEILING = 7;
const HANDED_OFF_FLOOR = 52;

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

  it('hands off and answers within its floors', async () => {
    const figures = tally(await evaluateKnowledgeBase(heldOut, base, index, policy));
    expect(figures.handedOffCorrectly).toBeGreaterThanOrEqual(HANDED_OFF_FLOOR);
    expect(figures.wrong).toBeLessThanOrEqual(WRONG_CEILING);
    expect(figures.correct).toBeGreaterThanOrEqual(CORRECT_FLOOR);
  }, 30_000);

  it('answers the same through the Bedrock adapter, with the right passages in its prompt', async () => {
    const bedrock = await evaluateBedrock(heldOut, base, index, policy);
    const figures = tally(bedrock.outcomes);
    expect(figures.handedOffCorrectly).toBeGreaterThanOrEqual(HANDED_OFF_FLOOR);
    expect(figures.wrong).toBeLessThanOrEqual(WRONG_CEILING);
    expect(figures.correct).toBeGreaterThanOrEqual(CORRECT_FLOOR);
    expect(bedrock.rightPassagesInPrompt).toBeGreaterThanOrEqual(figures.correct);
  }, 30_000);
});
