import * as z from 'zod';

/**
 * How retrieval scores read as confidence (knowledge-base/calibration.json, written by
 * `npm run eval -- --calibrate`): from each `score` up, the share of answers that were right.
 */
export const CalibrationSchema = z.strictObject({
  $comment: z.string().optional(),
  /** Ascending by score, and by share right (isotonic). */
  steps: z
    .array(z.strictObject({ score: z.number().min(0).max(1), right: z.number().min(0).max(1) }))
    .min(1)
    .max(1000),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/** The confidence of a retrieval score: the share right of the last step at or below it (0 below all). */
export function calibrate(calibration: Calibration | undefined, score: number): number {
  if (!calibration) return score;
  let right = 0;
  for (const step of calibration.steps) if (score >= step.score) right = step.right;
  return right;
}

/** One tuning answer: its retrieval score, and whether it was right. */
export interface Outcome {
  score: number;
  right: boolean;
}

/** One-sided 95%: the confidence is a share of right answers that the tuning answers make 95% sure. */
const Z = 1.645;

/** The Wilson score interval's lower bound of `right` successes in `count` trials. */
export function wilsonLower(right: number, count: number, z = Z): number {
  if (!count) return 0;
  const p = right / count;
  const z2 = z * z;
  const centre = p + z2 / (2 * count);
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * count)) / count);
  return Math.max(0, (centre - margin) / (1 + z2 / count));
}

interface Block {
  score: number;
  right: number;
  count: number;
}

const pool = (a: Block, b: Block): Block => ({
  score: a.score,
  right: a.right + b.right,
  count: a.count + b.count,
});

/** Pool adjacent violators: blocks merged while `value` of a block is below the one before it. */
function poolViolators(blocks: Block[], value: (b: Block) => number, minCount: number): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    out.push(block);
    while (out.length > 1) {
      const b = out.at(-1) as Block;
      const a = out.at(-2) as Block;
      // A block of fewer than `minCount` answers is merged into the one below: a share of 2 says little.
      if (value(a) <= value(b) && a.count >= minCount) break;
      out.splice(-2, 2, pool(a, b));
    }
  }
  return out;
}

/**
 * Isotonic regression (pool adjacent violators) of rightness on score, read conservatively: each step
 * of the monotone curve says the share of right answers that its tuning answers make 95% sure (the
 * Wilson lower bound), so 11 right of 12 reads 0.69 and 200 of 200 reads 0.98. Neighbouring steps are
 * pooled until those bounds rise with the score; each step but the last rests on at least `minCount`
 * answers.
 */
export function fitCalibration(outcomes: readonly Outcome[], minCount = 5): Calibration {
  const sorted = [...outcomes].sort((a, b) => a.score - b.score);
  const points: Block[] = [];
  for (const outcome of sorted) {
    const last = points.at(-1);
    if (last && last.score === outcome.score) {
      last.right += outcome.right ? 1 : 0;
      last.count += 1;
    } else {
      points.push({ score: outcome.score, right: outcome.right ? 1 : 0, count: 1 });
    }
  }
  const shares = poolViolators(points, (b) => b.right / b.count, minCount);
  // Steps of one share are one level of the curve: their answers count together.
  const levels = shares.reduce<Block[]>((out, b) => {
    const a = out.at(-1);
    if (a && a.right * b.count === b.right * a.count) out.splice(-1, 1, pool(a, b));
    else out.push(b);
    return out;
  }, []);
  const blocks = poolViolators(levels, (b) => wilsonLower(b.right, b.count), 1);
  return {
    steps: blocks.map((block) => ({
      score: block.score,
      right: Math.floor(wilsonLower(block.right, block.count) * 100) / 100,
    })),
  };
}
