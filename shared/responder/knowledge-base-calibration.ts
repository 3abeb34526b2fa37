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

/**
 * Isotonic regression (pool adjacent violators) of rightness on score: the steps of the monotone
 * curve that best fits the outcomes, so a higher score never reads as a lower confidence; each step
 * but the last rests on at least `minCount` answers.
 */
export function fitCalibration(outcomes: readonly Outcome[], minCount = 5): Calibration {
  const sorted = [...outcomes].sort((a, b) => a.score - b.score);
  const blocks: { score: number; right: number; count: number }[] = [];
  for (const outcome of sorted) {
    const last = blocks.at(-1);
    if (last && last.score === outcome.score) {
      last.right += outcome.right ? 1 : 0;
      last.count += 1;
    } else {
      blocks.push({ score: outcome.score, right: outcome.right ? 1 : 0, count: 1 });
    }
    while (blocks.length > 1) {
      const b = blocks.at(-1);
      const a = blocks.at(-2);
      // A block of fewer than `minCount` answers is merged into the one below: a share of 2 says little.
      if (!a || !b || (a.right / a.count <= b.right / b.count && a.count >= minCount)) break;
      blocks.splice(-2, 2, { score: a.score, right: a.right + b.right, count: a.count + b.count });
    }
  }
  return {
    steps: blocks.map((block) => ({
      score: block.score,
      right: Math.floor((block.right / block.count) * 100) / 100,
    })),
  };
}
