import { describe, expect, it } from 'vitest';
import { calibrate, fitCalibration } from '#shared/responder/knowledge-base-calibration.js';

describe('calibration', () => {
  it('fits a monotone step curve: the share right from each score up', () => {
    const outcomes = [
      ...[0.2, 0.25, 0.3, 0.35, 0.4].map((score) => ({ score, right: false })),
      ...[0.5, 0.55, 0.6, 0.65, 0.7].map((score, i) => ({ score, right: i % 2 === 0 })),
      ...[0.9, 0.92, 0.95, 0.97, 1].map((score) => ({ score, right: true })),
    ];
    const calibration = fitCalibration(outcomes);

    expect(calibration.steps).toEqual([
      { score: 0.2, right: 0 },
      { score: 0.5, right: 0.6 },
      { score: 0.9, right: 1 },
    ]);
    expect(calibrate(calibration, 0.1)).toBe(0);
    expect(calibrate(calibration, 0.6)).toBe(0.6);
    expect(calibrate(calibration, 0.95)).toBe(1);
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
    expect(fitCalibration(outcomes, 5).steps).toEqual([{ score: 0.3, right: 0.5 }]);
  });

  it('reads the raw score as confidence when there is no calibration', () => {
    expect(calibrate(undefined, 0.42)).toBe(0.42);
  });
});
