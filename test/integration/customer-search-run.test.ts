import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { CUSTOMER_NAME_PARTITION, Keys, nameSortKey } from '#shared/store/keys.js';
import { NAME_SEARCH_ROUNDS } from '#shared/store/name-search.js';
import { nameWordItems } from '#shared/store/name-words.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { storedProfileItem } from '../support/stored-profile.js';
import { useTestRuntime } from '../support/test-runtime.js';

const TOKEN = agentToken('search-run-token');
/** Customers named `Mo Mo<n>`: each whole name is passed over for `mo` (its surname matches, shorter). */
const RUN = 200;
type SearchPage = { items: Customer[]; cursor: string | null };

/**
 * A search passes over the whole-name entries of customers a later word of whose name also matches
 * (they are answered at that word's entry). A long run of them, all in the partition names were kept in
 * before the index was sharded, is read a bounded number of times by one page, not to its end; the
 * pages still answer every customer once. Local runtime (dynalite).
 */
describe('customer search over a long run of names it passes over', () => {
  vi.setConfig({ testTimeout: 120_000 });
  let dynamo: DynamoDBClient | undefined;
  /** The partitions each Query of the list index asked, in order. */
  const asked: string[] = [];
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-1:${TOKEN}` },
    timers: stillTimers(),
    dynamoClient: (client) => {
      dynamo = client;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          // The document client's input: plain values, or marshalled ones ({ S }) further down.
          const input = args.input as { ExpressionAttributeValues?: Record<string, unknown> };
          const value = input.ExpressionAttributeValues?.[':pk'];
          const pk = typeof value === 'string' ? value : (value as { S?: string } | undefined)?.S;
          if (context.commandName === 'QueryCommand' && pk) asked.push(pk);
          return next(args);
        },
        { step: 'initialize', name: 'partitionRecorder' },
      );
      return client;
    },
  });
  const request = agentRequest(() => runtime.url, TOKEN);
  const ids = Array.from({ length: RUN }, (_, i) => `cu_mo${String(i).padStart(3, '0')}`);

  beforeAll(async () => {
    const doc = documentClient(dynamo as DynamoDBClient);
    const items = ids.flatMap((id, i) => {
      const name = `Mo Mo${String(i).padStart(3, '0')}`;
      const profile = {
        ...storedProfileItem(id, name, '2026-06-01T09:00:00.000Z'),
        gsi1pk: CUSTOMER_NAME_PARTITION,
        gsi1sk: nameSortKey(name, id),
      };
      return [profile, ...nameWordItems(id, name)];
    });
    for (let i = 0; i < items.length; i += 25) {
      const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await doc.send(new BatchWriteCommand({ RequestItems: { threadline: batch } }));
    }
  });

  it('asks the partition holding the run at most NAME_SEARCH_ROUNDS times a page, and answers each customer once', async () => {
    const found: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      asked.length = 0;
      const res: { status: number; json: SearchPage } = await request<SearchPage>(
        'GET',
        `/api/customers?q=mo&limit=25${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(asked.filter((pk) => pk === CUSTOMER_NAME_PARTITION).length).toBeLessThanOrEqual(
        NAME_SEARCH_ROUNDS,
      );
      found.push(...res.json.items.map((c) => c.id));
      cursor = res.json.cursor;
      pages += 1;
      expect(pages).toBeLessThan(40);
    } while (cursor);
    expect(found).toEqual(ids);
  });
});
