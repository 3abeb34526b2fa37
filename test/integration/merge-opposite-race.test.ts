import { describe, expect, it } from 'vitest';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoGate } from '../support/dynamo-gate.js';
import { useMergeRaceRuntime } from '../support/merge-race.js';
import { inspectionClient } from '../support/table-snapshot.js';

const TABLE = 'threadline';
const ADMIN = agentToken('merge-opposite-race-admin');

/**
 * QA: `POST /customers/J/merge {customerId: L}` and `POST /customers/L/merge {customerId: J}` at once both
 * answered 200 and left each customer merged into the other (a cycle: an unmerge stranded identities,
 * and with an erasure at once the pair answered 409 both ways for ever). Each call's conditions held
 * on its own item only. Now exactly one lands and the other answers 409.
 */
describe('local runtime: two opposite merges at once', () => {
  const { runtime, customers, profiles } = useMergeRaceRuntime(ADMIN, 14155553000);
  const api = agentFetcher(() => runtime().url, ADMIN);
  /** Two new customers, each from a WhatsApp message of their own. */
  const pair = async () => (await customers(2)).ids as [string, string];
  /** The two profiles' pointers as the table holds them. */
  const pointers = async (a: string, b: string) => {
    const { [a]: pa, [b]: pb } = await profiles([a, b]);
    return {
      a: { mergedInto: pa?.mergedInto, mergedFrom: [...((pa?.mergedFrom as Set<string>) ?? [])] },
      b: { mergedInto: pb?.mergedInto, mergedFrom: [...((pb?.mergedFrom as Set<string>) ?? [])] },
    };
  };
  /** Exactly one of the two is merged into the other, which lists it alone. */
  const oneWay = async (a: string, b: string) => {
    const p = await pointers(a, b);
    const [kept, gone] = p.a.mergedInto === b ? [p.b, p.a] : [p.a, p.b];
    expect([p.a.mergedInto, p.b.mergedInto].filter(Boolean)).toHaveLength(1);
    expect(kept.mergedInto).toBeUndefined();
    expect(gone.mergedFrom).toEqual([]);
    expect(kept.mergedFrom).toHaveLength(1);
  };

  for (const order of [
    [0, 1],
    [1, 0],
  ] as const) {
    it(`lets one land when both wrote their first step before either points (released ${order.join(', ')})`, async () => {
      const [j, l] = await pair();
      const gate = new DynamoGate();
      // Held at each call's pointer write (step 2), once both have listed the other (step 1).
      gate.hold((call) => call.operation === 'UpdateItem' && call.body.includes('mergedAt = :now'), 2);
      const gated = dynamoRepositories(
        documentClient(gate.attach(inspectionClient(runtime().dynamoEndpoint))),
        TABLE,
      );
      const now = new Date().toISOString();
      const both = Promise.allSettled([
        gated.merges.merge(j, l, 'admin-zed', now),
        gated.merges.merge(l, j, 'admin-zed', now),
      ]);
      await gate.arrived(2);
      gate.release(order[0]);
      gate.release(order[1]);
      const outcomes = await both;
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect((refused.reason as Error).name).toBe('ConflictError');
      await oneWay(j, l);
    }, 60_000);
  }

  it('answers 200 to one call and 409 to the other, every time, through the API', async () => {
    for (let round = 0; round < 12; round++) {
      const [j, l] = await pair();
      const statuses = await Promise.all([
        api('POST', `/api/customers/${j}/merge`, { customerId: l }).then((r) => r.status),
        api('POST', `/api/customers/${l}/merge`, { customerId: j }).then((r) => r.status),
      ]);
      expect(statuses.sort(), `round ${round}`).toEqual([200, 409]);
      await oneWay(j, l);
    }
  }, 120_000);
});
