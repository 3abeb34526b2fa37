import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { readKnowledgeBase } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { calibrateFolder, loadQuestions, type Question } from './eval.js';

const policy = loadRoutingPolicy();

/** A business's own folder: one article of two paragraphs, as the README tells them to write it. */
function shopFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'kb-shop-'));
  writeFileSync(
    join(folder, 'shipping.md'),
    '# Shipping\n\nStandard delivery takes 2-3 working days and costs £3.95.\n\nWe ship to the UK and Ireland only.\n',
  );
  return folder;
}

const questions: Question[] = [
  { id: 'c1', text: 'how long does standard delivery take?', expect: ['shipping#1'] },
  { id: 'c2', text: 'how much is standard delivery?', expect: ['shipping#1'] },
  { id: 'c3', text: 'do you ship to ireland?', expect: ['shipping#2'] },
  { id: 'c4', text: 'can I pay in bitcoin?', handoff: 'out of scope' },
];

describe('npm run eval -- --calibrate --kb <folder> --questions <file>', () => {
  it("fits the business's own folder and writes calibration.json there, not into the sample", async () => {
    const sample = readFileSync(join(SAMPLE_KNOWLEDGE_BASE, 'calibration.json'), 'utf8');
    const folder = shopFolder();
    const { calibration, answers } = await calibrateFolder(folder, questions, policy);
    expect(answers).toBeGreaterThan(0);
    // What the resolver reads at start: the folder's own fit.
    expect(readKnowledgeBase(folder).calibration?.steps).toEqual(calibration.steps);
    expect(readFileSync(join(SAMPLE_KNOWLEDGE_BASE, 'calibration.json'), 'utf8')).toBe(sample);
  });

  it('reads questions without a split as tuning questions, from the file named', () => {
    const file = join(shopFolder(), 'questions.json');
    writeFileSync(
      file,
      JSON.stringify({ questions: [...questions, { ...questions[0], id: 'h1', split: 'held-out' }] }),
    );
    expect(loadQuestions('tune', file).map((q) => q.id)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(loadQuestions('held-out', file).map((q) => q.id)).toEqual(['h1']);
  });

  it('writes nothing when no question was answered, and says why', async () => {
    const folder = shopFolder();
    await expect(calibrateFolder(folder, [questions[3] as Question], policy)).rejects.toThrow(
      /none of the 1 tuning questions was answered/,
    );
    expect(readKnowledgeBase(folder).calibration).toBeUndefined();
  });
});
