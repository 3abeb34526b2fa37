import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandInput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '#shared/errors.js';
import { getItems } from '#shared/store/batch-get.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const TABLE = 'threadline';
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: TABLE };

const key = (n: number) => ({ pk: `CONVERSATION#cv_${n}`, sk: 'CONVERSATION' });
const item = (k: { pk: string; sk: string }) => ({ ...k, id: k.pk.slice('CONVERSATION#'.length) });
const keysOf = (input: BatchGetCommandInput) =>
  (input.RequestItems?.[TABLE]?.Keys ?? []) as Array<{ pk: string; sk: string }>;

/** Answers every key that exists (all but `missing`), in reverse order, as DynamoDB may. */
const answerExisting = (missing: Set<string>) => (input: BatchGetCommandInput) => ({
  Responses: {
    [TABLE]: keysOf(input)
      .filter((k) => !missing.has(k.pk))
      .map(item)
      .reverse(),
  },
});

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('getItems: BatchGetItem for a page of keys', () => {
  it('asks 100 distinct keys a call and answers in the keys\u2019 order, missing items left out', async () => {
    ddb.on(BatchGetCommand).callsFake(answerExisting(new Set([key(7).pk])));
    const keys = [...Array.from({ length: 230 }, (_, i) => key(229 - i)), key(3)];
    const items = await getItems(db, keys);

    const calls = ddb.commandCalls(BatchGetCommand).map((call) => keysOf(call.args[0].input));
    expect(calls.map((keys) => keys.length)).toEqual([100, 100, 30]);
    expect(new Set(calls.flat().map((k) => k.pk)).size).toBe(230);
    expect(ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.[TABLE]?.ConsistentRead).toBe(
      undefined,
    );
    const expected = keys.filter((k) => k.pk !== key(7).pk).map((k) => k.pk);
    expect(items.map((i) => i.pk)).toEqual(expected);
    expect(items.at(-1)).toEqual(item(key(3)));
  });

  it('reads strongly when asked, and sends nothing for no keys', async () => {
    ddb.on(BatchGetCommand).callsFake(answerExisting(new Set()));
    expect(await getItems(db, [])).toEqual([]);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
    await getItems(db, [key(1)], { consistent: true });
    expect(ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.[TABLE]?.ConsistentRead).toBe(
      true,
    );
  });

  it('asks again for the keys DynamoDB left unprocessed, after a throttling backoff', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    let n = 0;
    ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      n += 1;
      const [first, ...rest] = keysOf(input);
      if (n > 2 || !first) return answerExisting(new Set())(input);
      return { Responses: { [TABLE]: [item(first)] }, UnprocessedKeys: { [TABLE]: { Keys: rest } } };
    });
    const delays: number[] = [];
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const read = getItems(db, [key(1), key(2), key(3), key(4)]);
    await vi.runAllTimersAsync();
    const items = await read;
    for (const call of setTimeoutSpy.mock.calls) delays.push(Number(call[1]));

    expect(items.map((i) => i.pk)).toEqual([key(1), key(2), key(3), key(4)].map((k) => k.pk));
    expect(ddb.commandCalls(BatchGetCommand).map((call) => keysOf(call.args[0].input).length)).toEqual([
      4, 3, 2,
    ]);
    expect(delays).toEqual([250, 500]);
  });

  it('gives up with UnavailableError (the queue retries) when keys stay unprocessed', async () => {
    vi.useFakeTimers();
    ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: keysOf(input) } },
    }));
    const read = getItems(db, [key(1)]).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await read).toBeInstanceOf(UnavailableError);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(8);
  });
});
