import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { addMergedFromInput, pointMergedIntoInput } from '#shared/store/params/merges.js';

type Profile = { entity: string; mergedInto?: string; mergedFrom: Set<string> };

/**
 * The conditions the first two writes of a merge carry, judged as DynamoDB would on a profile: only the
 * clauses those writes use (joined by AND); any other fails the test, so a change of them is seen here.
 */
function holds(input: UpdateCommandInput, profile: Profile): boolean {
  const values = input.ExpressionAttributeValues ?? {};
  return String(input.ConditionExpression)
    .split(' AND ')
    .every((clause) => {
      if (clause === 'attribute_not_exists(mergedInto)') return profile.mergedInto === undefined;
      if (clause === 'entity = :customer') return profile.entity === values[':customer'];
      if (clause === 'NOT contains(mergedFrom, :target)') return !profile.mergedFrom.has(values[':target']);
      throw new Error(`clause not modelled: ${clause}`);
    });
}

/** Applies one of the two writes to the profiles when its condition holds: whether it did. */
function write(profiles: Record<string, Profile>, input: UpdateCommandInput): boolean {
  const id = String((input.Key as { pk: string }).pk).replace('CUSTOMER#', '');
  const profile = profiles[id] as Profile;
  if (!holds(input, profile)) return false;
  const values = input.ExpressionAttributeValues ?? {};
  if (String(input.UpdateExpression).startsWith('ADD mergedFrom')) {
    for (const source of values[':source'] as Set<string>) profile.mergedFrom.add(source);
  } else profile.mergedInto = values[':target'];
  return true;
}

/** Every order of two sequences that keeps each one's own order. */
function interleavings<T>(a: T[], b: T[]): T[][] {
  if (a.length === 0) return [b];
  if (b.length === 0) return [a];
  const [[x, ...xs], [y, ...ys]] = [a, b] as [[T, ...T[]], [T, ...T[]]];
  return [
    ...interleavings(xs, b).map((rest) => [x, ...rest]),
    ...interleavings(a, ys).map((rest) => [y, ...rest]),
  ];
}

describe('two opposite merges at once (step 1 and step 2 of each, in any order)', () => {
  const by = { agentId: 'ag_1', now: '2026-12-06T18:00:00.000Z' };
  /** A merge's two writes (the target lists the source, the source points to the target), tagged with it. */
  const steps = (target: string, source: string) => [
    { merge: `${source}>${target}`, input: addMergedFromInput('t', target, source) },
    { merge: `${source}>${target}`, input: pointMergedIntoInput('t', source, target, by) },
  ];

  it.each([
    ['cu_j', 'cu_l'],
    ['cu_l', 'cu_j'],
  ])('lands exactly one of them, never a cycle (J = %s)', (j, l) => {
    const orders = interleavings(steps(j, l), steps(l, j));
    expect(orders).toHaveLength(6);
    for (const order of orders) {
      const profiles: Record<string, Profile> = {
        [j]: { entity: 'customer', mergedFrom: new Set() },
        [l]: { entity: 'customer', mergedFrom: new Set() },
      };
      // A merge stops at its first refused write (the store then takes back its step 1 and answers 409).
      const stopped = new Set<string>();
      const landed: string[] = [];
      for (const step of order) {
        if (stopped.has(step.merge)) continue;
        if (!write(profiles, step.input)) stopped.add(step.merge);
        else if (step.input.UpdateExpression?.startsWith('SET mergedInto')) landed.push(step.merge);
      }
      expect(landed, order.map((s) => s.merge).join(' ')).toHaveLength(1);
      expect([profiles[j]?.mergedInto, profiles[l]?.mergedInto].filter(Boolean)).toHaveLength(1);
    }
  });

  it('holds the yielding merge to the list a merge refuses on a read (mergeConflict)', () => {
    // cu_j into cu_l (cu_l sorts after: it yields) while cu_j lists cu_l (cu_l merged, or being merged, into it).
    const listing = { entity: 'customer', mergedFrom: new Set(['cu_l']) };
    expect(holds(pointMergedIntoInput('t', 'cu_j', 'cu_l', by), listing)).toBe(false);
    expect(holds(pointMergedIntoInput('t', 'cu_j', 'cu_l', by), { ...listing, mergedFrom: new Set() })).toBe(
      true,
    );
    // The other way round does not yield: its target's own step 1 refuses it once cu_j points.
    const other = { entity: 'customer', mergedFrom: new Set(['cu_j']) };
    expect(holds(pointMergedIntoInput('t', 'cu_l', 'cu_j', by), other)).toBe(true);
  });
});
