import { describe, expect, it } from 'vitest';
import { calibrate, fitCalibration, wilsonLower } from '#shared/responder/knowledge-base-calibration.js';

describe('calibration', () => {
  it('fits a monotone step curve: the share right from each score up', () => {
    const outcomes = [
      ...[0.2, 0.25, 0.3, 0.35, 0.4].map((score) => ({ score, right: false })),
      ...[0.5, 0.55, 0.6, 0.65, 0.7].map((score, i) => ({ score, right: i % 2 === 0 })),
      ...[0.9, 0.92, 0.95, 0.97, 1].map((score) => ({ score, right: true })),
    ];
    const calibration = fitCalibration(outcomes);

    // 0 of 5, 3 of 5 and 5 of 5 right, each read as its Wilson lower bound (one-sided 95%).
    expect(calibration.steps).toEqual([
      { score: 0.2, right: 0 },
      { score: 0.5, right: 0.27 },
      { score: 0.9, right: 0.64 },
    ]);
    expect(calibrate(calibration, 0.1)).toBe(0);
    expect(calibrate(calibration, 0.6)).toBe(0.27);
    expect(calibrate(calibration, 0.95)).toBe(0.64);
  });

  it('reads a share as sure only when enough answers make it so: 11 of 12 is not, 200 of 200 is', () => {
    const band = (from: number, right: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ score: from + i / 10_000, right: i < right }));
    const steps = fitCalibration([...band(0.6, 11, 12), ...band(0.8, 200, 200)]).steps;
    expect(calibrate({ steps }, 0.6)).toBeLessThan(0.9);
    expect(calibrate({ steps }, 0.8)).toBeGreaterThan(0.97);
    expect(wilsonLower(11, 12)).toBeCloseTo(0.699, 2);
  });

  it('pools steps of one share into one level before bounding it', () => {
    const outcomes = [0.7, 0.71, 0.72, 0.73, 0.74, 0.8, 0.81, 0.82, 0.83, 0.84].map((score) => ({
      score,
      right: true,
    }));
    expect(fitCalibration(outcomes).steps).toEqual([{ score: 0.7, right: 0.78 }]);
  });

  it('pools a block of fewer answers than the minimum, and a higher score never reads lower', () => {
    const outcomes = [
      { score: 0.3, right: true },
      { score: 0.4, right: false },
      { score: 0.5, right: false },
      { score: 0.6, right: true },
    ];
    const steps = fitCalibration(outcomes, 2).steps;
    for (let i = 1; i < steps.length; i += 1) {
      expect(steps[i]?.right).toBeGreaterThanOrEqual(steps[i - 1]?.right ?? 0);
    }
    // 2 right of 4 pooled: a share of 0.5, whose lower bound is 0.18.
    expect(fitCalibration(outcomes, 5).steps).toEqual([{ score: 0.3, right: 0.18 }]);
  });

  it('reads the raw score as confidence when there is no calibration', () => {
    expect(calibrate(undefined, 0.42)).toBe(0.42);
  });
});
