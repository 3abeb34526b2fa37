import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { Keys, nameShardPartition } from '#shared/store/keys.js';
import { indexNameWords } from '#shared/store/name-word-backfill.js';
import { nameWordKey, nameWordKeys, nameWordPartition } from '#shared/store/name-words.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentRequest } from '../support/agent-api.js';
import { storedProfileItem } from '../support/stored-profile.js';
import { useTestRuntime } from '../support/test-runtime.js';

const AGENT = 'search-folding-agent';
const at = (i: number) => new Date(Date.UTC(2026, 5, 2, 9, i)).toISOString();

/**
 * Names with letters that have no decomposed form (ı, ß, ł, đ, ø, æ), Persian letters and the
 * zero-width non-joiner, and invisible characters: found as people
 * type them, over `GET /api/customers?q=` on the local runtime; and names stored before, folded the
 * old way, found so once `indexNameWords` has run.
 */
describe('customer search: letters people type otherwise', () => {
  vi.setConfig({ testTimeout: 60_000 });
  let dynamo: DynamoDBClient | undefined;
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-ana:${AGENT}` },
    dynamoClient: (client) => {
      dynamo = client;
      return client;
    },
  });
  const agent = agentRequest(() => runtime.url, AGENT);
  const found = async (q: string): Promise<string[]> => {
    const res = await agent<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`);
    expect(res.status, q).toBe(200);
    return res.json.items.map((c) => c.id);
  };
  const named = (id: string, name: string, i: number) =>
    runtime.store.customers.touchProfile({
      customerId: id,
      identities: [{ kind: 'phone', value: `+4477019${String(i).padStart(5, '0')}` }],
      channel: 'sms',
      at: at(i),
      now: at(i),
      conversationId: `cv_${id}`,
      inbound: true,
      name: { value: name, at: at(i) },
    });

  it('finds each name by the plain letters, the other Arabic forms and without the invisible characters', async () => {
    await named('cu_isik', 'İsmail Işık', 1);
    await named('cu_gross', 'Jürgen Größmann', 2);
    await named('cu_walesa', 'Łukasz Wałęsa', 3);
    await named('cu_dang', 'Đặng Thị Hồng', 4);
    await named('cu_soren', 'Søren Ærø', 5);
    await named('cu_reza', 'محمد\u200cرضا کریمی', 6);
    await named('cu_bob', 'Bob\u200b\u200dSmith', 7);
    const cases: [string, string][] = [
      ['ışık', 'cu_isik'],
      ['isik', 'cu_isik'],
      ['IŞIK', 'cu_isik'],
      ['ismail', 'cu_isik'],
      ['grossmann', 'cu_gross'],
      ['lukasz', 'cu_walesa'],
      ['walesa', 'cu_walesa'],
      ['dang', 'cu_dang'],
      ['soren', 'cu_soren'],
      ['aero', 'cu_soren'],
      ['محمدرضا', 'cu_reza'],
      ['محمد\u200cرضا', 'cu_reza'],
      ['رضا', 'cu_reza'],
      ['كريمي', 'cu_reza'],
      ['کریمی', 'cu_reza'],
      ['smith', 'cu_bob'],
      ['bobsmith', 'cu_bob'],
    ];
    for (const [q, id] of cases) expect(await found(q), q).toEqual([id]);
  });

  it('finds names stored before, folded the old way, once `npm run index-name-words` has run', async () => {
    const doc = documentClient(dynamo as DynamoDBClient);
    // As the version before folded them: ı and ß kept, the ZWJ kept in the words.
    const before = [
      { id: 'cu_old_isik', name: 'İsmail Işık', words: ['isık'], sk: 'ismail isık' },
      { id: 'cu_old_gross', name: 'Jürgen Größmann', words: ['größmann'], sk: 'jurgen größmann' },
      {
        id: 'cu_old_bob',
        name: 'Bob \u200d Smith',
        words: ['smith', '\u200d smith'],
        sk: 'bob \u200d smith',
      },
    ];
    for (const { id, name, words, sk } of before) {
      const item = storedProfileItem(id, name, at(20));
      const index = { gsi1pk: nameShardPartition(id), gsi1sk: `${sk}#${id}` };
      await doc.send(new PutCommand({ TableName: 'threadline', Item: { ...item, ...index } }));
      for (const [i, text] of words.entries()) {
        const entry = {
          ...nameWordKey(id, i + 1),
          entity: 'customer_name_word',
          customerId: id,
          gsi1pk: nameWordPartition(id, i + 1),
          gsi1sk: `${text}#${id}`,
          nameVersion: `00000000#`,
        };
        await doc.send(new PutCommand({ TableName: 'threadline', Item: entry }));
      }
    }
    expect(await found('isik')).not.toContain('cu_old_isik');
    expect(await found('grossmann')).not.toContain('cu_old_gross');
    expect(await found('bob smith')).toEqual([]);

    const run = await indexNameWords({ doc, table: 'threadline' }, (input) => doc.scan(input), { limit: 50 });
    expect(run.refolded).toBeGreaterThanOrEqual(3);
    expect(await found('isik')).toContain('cu_old_isik');
    expect(await found('ismail isik')).toContain('cu_old_isik');
    expect(await found('grossmann')).toContain('cu_old_gross');
    expect(await found('bob smith')).toEqual(['cu_old_bob']);
    // The profile's own entry is refolded, and the word entry the new folding no longer has is cleared.
    const get = (Key: Record<string, string>) => doc.send(new GetCommand({ TableName: 'threadline', Key }));
    expect((await get(Keys.customer('cu_old_gross'))).Item?.gsi1sk).toBe('jurgen grossmann#cu_old_gross');
    const bobWords = await Promise.all(nameWordKeys('cu_old_bob').map(get));
    expect(bobWords.map((out) => out.Item?.gsi1sk)).toEqual([
      'smith#cu_old_bob',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
