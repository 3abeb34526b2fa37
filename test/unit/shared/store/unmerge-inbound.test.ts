import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/store/sdk-documents.js';
import { keepTargetInbound } from '#shared/store/unmerge-inbound.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const PK = 'CUSTOMER#cu_kept';
const HELD = '2026-12-06T12:00:00.000Z';

type Stored = Record<string, unknown>;

/** The kept customer's `n`th newest timeline item (0: the newest), a second apart before HELD. */
function item(n: number, fields: Stored): Stored {
  const at = new Date(Date.parse(HELD) - (n + 1) * 1000).toISOString();
  return { pk: PK, sk: `TIMELINE#${at}#item-${n}`, at, ...fields };
}
const whatsapp = (n: number) => item(n, { type: 'message', direction: 'inbound', channel: 'whatsapp' });
const note = (n: number) => item(n, { type: 'note' });

/** The kept profile (a phone, WhatsApp with the source's later time on it), and its timeline by query. */
function serve(timeline: Stored[]) {
  ddb.on(GetCommand).resolves({
    Item: {
      pk: PK,
      sk: 'PROFILE',
      entity: 'customer',
      id: 'cu_kept',
      identities: new Set(['phone#+14155550801']),
      channels: new Set(['whatsapp']),
      lastInbound_whatsapp: HELD,
      lastInboundChannel: 'whatsapp',
      lastInboundAt: HELD,
    },
  });
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    if (values[':prefix'] !== 'TIMELINE#') return { Items: [], ScannedCount: 0 };
    const after = input.ExclusiveStartKey?.sk;
    const from = after === undefined ? 0 : timeline.findIndex((i) => i.sk === after) + 1;
    const evaluated = timeline.slice(from, from + (input.Limit ?? timeline.length));
    const last = evaluated.at(-1);
    return {
      Items: evaluated.filter((i) => i.channel === values[':channel'] && i.direction === values[':inbound']),
      ScannedCount: evaluated.length,
      ...(from + evaluated.length < timeline.length && last
        ? { LastEvaluatedKey: { pk: PK, sk: last.sk } }
        : {}),
    };
  });
  ddb.on(UpdateCommand).resolves({});
}
/** The Limit of each query of the timeline's newest items (the look for the kept customer's own). */
const limits = () =>
  ddb
    .commandCalls(QueryCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.ExpressionAttributeValues?.[':prefix'] === 'TIMELINE#')
    .map((input) => input.Limit);
const keptTime = () =>
  ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':t0'])[0];
const source = { identities: ['phone#+14155550802'], channels: ['whatsapp'] } as never;

beforeEach(() => ddb.reset());

describe('keepTargetInbound: the kept customer’s own latest inbound, read newest first in pages', () => {
  it('reads one page of 10, strongly, when its own message is in it', async () => {
    serve([note(0), whatsapp(1), ...Array.from({ length: 200 }, (_, n) => note(n + 2))]);
    await keepTargetInbound(db, 'cu_kept', source);
    expect(limits()).toEqual([10]);
    const reads = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(reads.every((input) => input.ConsistentRead === true)).toBe(true);
    expect(keptTime()).toBe(whatsapp(1).at);
  });

  it('reads 30 and 60 more only while none is found, and never past 100 items', async () => {
    serve([...Array.from({ length: 45 }, (_, n) => note(n)), whatsapp(45), ...[46, 47].map(note)]);
    await keepTargetInbound(db, 'cu_kept', source);
    expect(limits()).toEqual([10, 30, 60]);
    expect(keptTime()).toBe(whatsapp(45).at);

    ddb.reset();
    serve(Array.from({ length: 300 }, (_, n) => note(n)));
    await keepTargetInbound(db, 'cu_kept', source);
    expect(limits()).toEqual([10, 30, 60]);
  });
});
