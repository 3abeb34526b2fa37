import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { Keys, nameShardPartition } from '#shared/store/keys.js';
import { indexNameWords } from '#shared/store/name-word-backfill.js';
import { nameWordKey, nameWordKeys, nameWordPartition } from '#shared/store/name-words.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { storedProfileItem } from '../support/stored-profile.js';
import { useTestRuntime } from '../support/test-runtime.js';

const AGENT = agentToken('search-words-agent');
const ADMIN = agentToken('search-words-admin');
const at = (i: number) => new Date(Date.UTC(2026, 5, 1, 9, i)).toISOString();
type SearchPage = { items: Customer[]; cursor: string | null };

/**
 * Agents search customers by the start of any word of their name (a surname), not only by the start of
 * the whole name: `GET /api/customers?q=` over the local runtime, through every place a name changes
 * (a provider's profile name, an agent's rename, a merge, an erasure).
 */
describe('customer search by any word of the name', () => {
  vi.setConfig({ testTimeout: 60_000 });
  let dynamo: DynamoDBClient | undefined;
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ADMIN}:admin` },
    dynamoClient: (client) => {
      dynamo = client;
      return client;
    },
  });
  /** How many word entries of a customer's name are stored (none once they have gone). */
  const wordItems = async (customerId: string) => {
    const doc = documentClient(dynamo as DynamoDBClient);
    const got = await Promise.all(
      nameWordKeys(customerId).map((Key) => doc.send(new GetCommand({ TableName: 'threadline', Key }))),
    );
    return got.filter((out) => out.Item).length;
  };
  const agent = agentRequest(() => runtime.url, AGENT);
  const admin = agentRequest(() => runtime.url, ADMIN);
  /** The ids every page of a search answers, in order, at a page size. */
  async function found(q: string, limit = 25): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; json: SearchPage } = await agent<SearchPage>(
        'GET',
        `/api/customers?q=${encodeURIComponent(q)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, q).toBe(200);
      ids.push(...res.json.items.map((c) => c.id));
      cursor = res.json.cursor;
      expect(ids.length).toBeLessThan(500);
    } while (cursor);
    return ids;
  }
  const named = (id: string, name: string, i: number) =>
    runtime.store.customers.touchProfile({
      customerId: id,
      identities: [{ kind: 'phone', value: `+4477009${String(i).padStart(5, '0')}` }],
      channel: 'sms',
      at: at(i),
      now: at(i),
      conversationId: `cv_${id}`,
      inbound: true,
      name: { value: name, at: at(i) },
    });

  it('finds a customer by the start of a later word (a surname), folded, and still by the whole name', async () => {
    await named('cu_rae', 'Rae Raced', 1);
    await named('cu_maria', 'María García López', 2);
    expect(await found('Raced')).toEqual(['cu_rae']);
    expect(await found('rae r')).toEqual(['cu_rae']);
    expect(await found('garc')).toEqual(['cu_maria']);
    expect(await found('garcia')).toEqual(['cu_maria']);
    expect(await found('LOPEZ')).toEqual(['cu_maria']);
    expect(await found('garcía lóp')).toEqual(['cu_maria']);
    expect(await found('maria g')).toEqual(['cu_maria']);
    // Not the middle of a word, nor words out of order.
    expect(await found('arcia')).toEqual([]);
    expect(await found('lopez garcia')).toEqual([]);
  });

  it('answers a customer once across pages when two of their words match', async () => {
    for (let i = 0; i < 8; i += 1)
      await named(`cu_lo${String(i).padStart(2, '0')}`, 'Lola Lopes Lorca', 10 + i);
    await named('cu_anaana', 'Ana Ana', 30);
    for (const limit of [3, 25]) {
      const ids = await found('lo', limit);
      expect(ids.filter((id) => id.startsWith('cu_lo')).sort(), String(limit)).toEqual(
        Array.from({ length: 8 }, (_, i) => `cu_lo${String(i).padStart(2, '0')}`),
      );
      expect(new Set(ids).size, String(limit)).toBe(ids.length);
      expect(await found('ana', limit), String(limit)).toEqual(['cu_anaana']);
    }
  });

  it("moves the words with an agent's rename: the old surname no longer finds them", async () => {
    await named('cu_ren', 'Jo Oldname', 40);
    expect(await found('oldname')).toEqual(['cu_ren']);
    expect((await agent('PATCH', '/api/customers/cu_ren', { name: 'Jo Newname' })).status).toBe(200);
    expect(await found('oldname')).toEqual([]);
    expect(await found('newname')).toEqual(['cu_ren']);
    expect((await agent('PATCH', '/api/customers/cu_ren', { name: 'Jo' })).status).toBe(200);
    expect(await found('newname')).toEqual([]);
    expect(await wordItems('cu_ren')).toBe(0);
    expect(await found('jo')).toEqual(['cu_ren']);
  });

  it('takes the words of a customer merged away, and of an erased one', async () => {
    await named('cu_kept', 'Kim Keeper', 50);
    await named('cu_gone', 'Kim Mergedaway', 51);
    expect(await found('mergedaway')).toEqual(['cu_gone']);
    expect(await wordItems('cu_gone')).toBe(1);
    expect((await admin('POST', '/api/customers/cu_kept/merge', { customerId: 'cu_gone' })).status).toBe(200);
    expect(await found('mergedaway')).toEqual([]);
    expect(await wordItems('cu_gone')).toBe(0);
    expect(await found('keeper')).toEqual(['cu_kept']);
    // Their whole name's entry stays, and finds the customer they were merged into, not a customer of
    // their own; once, however many of the page's entries lead to it.
    expect(await found('kim mergedaway')).toEqual(['cu_kept']);
    expect(await found('kim')).toEqual(['cu_kept']);
    // An unmerge gives them back.
    expect((await admin('POST', '/api/customers/cu_kept/unmerge', { customerId: 'cu_gone' })).status).toBe(
      200,
    );
    expect(await found('mergedaway')).toEqual(['cu_gone']);

    await named('cu_erase', 'Eve Erasable', 52);
    expect(await found('erasable')).toEqual(['cu_erase']);
    expect((await admin('DELETE', '/api/customers/cu_erase')).status).toBe(200);
    expect(await found('erasable')).toEqual([]);
    expect(await wordItems('cu_erase')).toBe(0);
  });

  it('finds a name by its Arabic words whatever hamza form is typed', async () => {
    await named('cu_ahmad', 'محمد أحمد', 60);
    expect(await found('احمد')).toEqual(['cu_ahmad']);
    expect(await found('أحمد')).toEqual(['cu_ahmad']);
    expect(await found('إحمد')).toEqual(['cu_ahmad']);
  });

  it('indexes the words of customers stored before, and refolds their names, by `npm run index-name-words`', async () => {
    const doc = documentClient(dynamo as DynamoDBClient);
    const before = [
      { id: 'cu_old1', name: 'Olga Oldstored', sk: 'olga oldstored#cu_old1' },
      // Folded as before: the hamza kept, ة not ه.
      { id: 'cu_old2', name: 'أمينة صبري', sk: 'أمينة صبري#cu_old2'.normalize('NFKD') },
    ];
    for (const { id, name, sk } of before) {
      const item = storedProfileItem(id, name, at(70));
      const index = { gsi1pk: nameShardPartition(id), gsi1sk: sk };
      await doc.send(new PutCommand({ TableName: 'threadline', Item: { ...item, ...index } }));
    }
    expect(await found('olga')).toEqual(['cu_old1']);
    expect(await found('oldstored')).toEqual([]);
    // Not by a start a later word shares (`ol`): the search answers her at the entry of that word,
    // which the upgrade has not written yet.
    expect(await found('ol')).toEqual([]);
    expect(await found('امينه')).toEqual([]);
    const run = await indexNameWords({ doc, table: 'threadline' }, (input) => doc.scan(input), { limit: 50 });
    expect(run.cursor).toBeUndefined();
    expect(run.refolded).toBe(1);
    expect(await found('oldstored')).toEqual(['cu_old1']);
    expect(await found('ol')).toEqual(['cu_old1']);
    expect(await found('امينه')).toEqual(['cu_old2']);
    expect(await found('صبري')).toEqual(['cu_old2']);
    // Again: the same entries, nothing to refold.
    expect(
      (await indexNameWords({ doc, table: 'threadline' }, (input) => doc.scan(input), { limit: 50 }))
        .refolded,
    ).toBe(0);
    expect(await found('oldstored')).toEqual(['cu_old1']);
  });

  // QA (multilingual customers): letters with no decomposed form (ı, ß, ł, đ, ø, æ), Persian letters and
  // the zero-width non-joiner, and unseen characters found nobody typed the way people type them.
  it('finds each name by the plain letters, the other Arabic forms and without the invisible characters', async () => {
    await named('cu_isik', 'İsmail Işık', 80);
    await named('cu_gross', 'Jürgen Größmann', 81);
    await named('cu_walesa', 'Łukasz Wałęsa', 82);
    await named('cu_dang', 'Đặng Thị Hồng', 83);
    await named('cu_soren', 'Søren Ærø', 84);
    await named('cu_reza', 'محمد\u200cرضا کریمی', 85);
    await named('cu_bob', 'Bob\u200b\u200dSmith', 86);
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
    // A text all of it folded away (unseen characters, an accent alone) names nobody.
    for (const q of ['\u200b\u200c', '\u0301']) expect(await found(q), q).toEqual([]);
  });

  // QA (a Moroccan/French team): a part after a hyphen or an apostrophe, and an Arabic surname without
  // its article, found nobody.
  it('finds a name by the parts of hyphenated words, after an apostrophe, and without the Arabic article', async () => {
    await named('cu_mc', 'Marie-Claire Dupont-Martin', 100);
    await named('cu_aicha', 'Aïcha N’Diaye', 101);
    await named('cu_alaoui', 'محمد أمين العلوي', 102);
    await named('cu_jp', 'Jean-Pierre Lefèvre', 103);
    await named('cu_idrissi', 'يوسف الإدريسي', 104);
    const cases: [string, string][] = [
      ['martin', 'cu_mc'],
      ['claire', 'cu_mc'],
      ['dupont', 'cu_mc'],
      ['dupont-martin', 'cu_mc'],
      ['marie-claire dupont', 'cu_mc'],
      ['diaye', 'cu_aicha'],
      ['ndiaye', 'cu_aicha'],
      ["n'diaye", 'cu_aicha'],
      ['N’Diaye', 'cu_aicha'],
      ["aicha n'd", 'cu_aicha'],
      ['علوي', 'cu_alaoui'],
      ['العلوي', 'cu_alaoui'],
      ['امين العلوي', 'cu_alaoui'],
      ['pierre', 'cu_jp'],
      ['lefevre', 'cu_jp'],
      ['jean-pierre', 'cu_jp'],
      ['ادريسي', 'cu_idrissi'],
      ['الإدريسي', 'cu_idrissi'],
    ];
    for (const [q, id] of cases) expect(await found(q), q).toEqual([id]);
    // Each part once: `d` starts two parts of Marie-Claire Dupont-Martin's and two of Aïcha N’Diaye's.
    expect((await found('d')).filter((id) => id === 'cu_mc' || id === 'cu_aicha').sort()).toEqual([
      'cu_aicha',
      'cu_mc',
    ]);
    expect(await wordItems('cu_mc')).toBe(3);
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
      // Before 2026-12-07: the apostrophe kept, the words split at spaces only.
      { id: 'cu_old_ndiaye', name: 'Aïcha N’Diaye', words: ['n’diaye'], sk: 'aicha n’diaye' },
      { id: 'cu_old_jp', name: 'Jean-Pierre Lefèvre', words: ['lefevre'], sk: 'jean-pierre lefevre' },
    ];
    for (const { id, name, words, sk } of before) {
      const item = storedProfileItem(id, name, at(90));
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
    expect(await found('diaye')).not.toContain('cu_old_ndiaye');
    expect(await found('pierre')).not.toContain('cu_old_jp');

    const run = await indexNameWords({ doc, table: 'threadline' }, (input) => doc.scan(input), { limit: 50 });
    expect(run.refolded).toBeGreaterThanOrEqual(3);
    expect(await found('isik')).toContain('cu_old_isik');
    expect(await found('ismail isik')).toContain('cu_old_isik');
    expect(await found('grossmann')).toContain('cu_old_gross');
    expect(await found('bob smith')).toEqual(['cu_old_bob']);
    for (const q of ['diaye', 'ndiaye', "aicha n'diaye", 'aïcha n’diaye'])
      expect(await found(q), q).toContain('cu_old_ndiaye');
    expect(await found('pierre')).toContain('cu_old_jp');
    expect(await found('jean-pierre')).toContain('cu_old_jp');
    // The profile's own entry is refolded, and the word entry the new folding no longer has is cleared.
    const get = (Key: Record<string, string>) => doc.send(new GetCommand({ TableName: 'threadline', Key }));
    expect((await get(Keys.customer('cu_old_gross'))).Item?.gsi1sk).toBe('jurgen grossmann#cu_old_gross');
    expect((await get(Keys.customer('cu_old_ndiaye'))).Item?.gsi1sk).toBe('aicha ndiaye#cu_old_ndiaye');
    const bobWords = await Promise.all(nameWordKeys('cu_old_bob').map(get));
    expect(bobWords.map((out) => out.Item?.gsi1sk)).toEqual([
      'smith#cu_old_bob',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
