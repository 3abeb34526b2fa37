import { expect } from 'vitest';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoFaults, SimulatedCrash } from './dynamo-faults.js';
import { inspectionClient } from './table-snapshot.js';

/** A merged pair a crash test unmerges. */
export type MergedPair = { target: string; source: string };

/**
 * Crashes an unmerge after its k-th write, for k = 1, 2, … (a fresh merged pair each time, `setUp`),
 * asks it again (`again`) and checks it converged (`check`), until k is past its last write (then the
 * unmerge ran through, checked too). Answers how many crashes it made.
 */
export async function crashUnmergeAtEachWrite<P extends MergedPair>(steps: {
  dynamoEndpoint: string;
  agentId: string;
  now: () => string;
  setUp: (k: number) => Promise<P>;
  again: (pair: P) => Promise<void>;
  check: (pair: P) => Promise<void>;
  most?: number;
}): Promise<number> {
  let crashes = 0;
  for (let k = 1; k < (steps.most ?? 60); k++) {
    const pair = await steps.setUp(k);
    const faults = new DynamoFaults({ crashAfterWrite: k });
    const crashing = dynamoRepositories(
      documentClient(faults.attach(inspectionClient(steps.dynamoEndpoint))),
      'threadline',
    );
    const first = await crashing.merges
      .unmerge(pair.target, pair.source, steps.agentId, steps.now())
      .catch((error) => {
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return undefined;
      });
    if (first) {
      // k is past the unmerge's last write: every crash point was tried.
      expect(faults.crashed).toBe(false);
      await steps.check(pair);
      return crashes;
    }
    crashes += 1;
    await steps.again(pair);
    await steps.check(pair);
  }
  return crashes;
}
