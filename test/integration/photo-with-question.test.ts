import { describe, expect, it } from 'vitest';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { DynamoGate, escalationWrite, type GatedCall, recentItemsRead } from '../support/dynamo-gate.js';
import { stillTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { type Item, inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const FROM = '14155550140';
const QUESTION = 'What is your returns policy?';
const TEXT_ID = 'whatsapp:wamid.RxK-1';
const PHOTO_ID = 'whatsapp:wamid.RxK-2';

/** The strong read of the conversation the AI's answer is checked against, just before it is sent. */
const answerCheck = (call: GatedCall) =>
  call.operation === 'GetItem' && call.body.includes('"ConsistentRead":true');

/** What the customer's two messages came to: who answered each, and the hand-off notes. */
async function outcome(inspect: ReturnType<typeof inspectionClient>) {
  const items = await scanTable(inspect, TABLE);
  const timeline = items.filter((i) => i.entity === 'timeline');
  const decision = (id: string) => {
    const routed = timeline.find((i) => i.id === `route:${id}`);
    return routed ? `${(routed.data as Item).target} ${(routed.data as Item).reason}` : undefined;
  };
  // The AI's answer carries its decision (`data.routed`); a holding message does not.
  const aiAnswers = timeline.filter(
    (i) => i.type === 'message' && i.direction === 'outbound' && (i.data as Item | undefined)?.routed,
  );
  return {
    text: decision(TEXT_ID) ?? aiAnswers.map((a) => `ai ${((a.data as Item).routed as Item).reason}`).join(),
    photo: decision(PHOTO_ID),
    aiAnswers: aiAnswers.length,
    notes: timeline
      .filter((i) => i.type === 'note')
      .map((n) => ({ id: n.id, lines: String(n.text).split('\n').slice(1) })),
  };
}

/**
 * A new customer's question and photo in one POST, their runs both held at their read of the recent items
 * (so both are written), then routed in the order `first` names: the other's run is held at a step of its
 * own (the text at the check of the AI's answer, the photo at its hand-off) until the first is done.
 * Answers what the pair came to, and what it cost in DynamoDB calls and units.
 */
async function photoWithQuestion(first: 'text' | 'photo') {
  const gate = new DynamoGate();
  const calls: RecordedCall[] = [];
  gate.hold(recentItemsRead, 2);
  const runtime = await startTestRuntime({
    env: { META_APP_SECRET: SECRETS.meta },
    routing: true,
    clock: { now: () => new Date('2026-12-01T15:00:00.000Z') },
    timers: stillTimers(),
    dynamoClient: (client) => {
      recordCalls(gate.attach(client), calls);
      return client;
    },
    queue: { visibilityTimeoutMs: 200 },
  });
  const inspect = inspectionClient(runtime.dynamoEndpoint);
  try {
    const body = whatsappText({
      from: FROM,
      name: 'Rex',
      messages: [
        { id: 'wamid.RxK-1', at: '2026-12-01T14:59:00.000Z', text: QUESTION },
        {
          id: 'wamid.RxK-2',
          at: '2026-12-01T14:59:01.000Z',
          text: '',
          extra: { type: 'image', text: undefined, image: { id: 'M11', mime_type: 'image/jpeg' } },
        },
      ],
    });
    const answer = deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    await gate.arrived(2);
    gate.hold(first === 'photo' ? answerCheck : escalationWrite, 1);
    gate.release(0);
    gate.release(1);
    await gate.arrived(3);
    const done = async () => {
      const now = await outcome(inspect);
      return first === 'photo' ? now.photo !== undefined : now.aiAnswers > 0;
    };
    await waitUntil(done, `the ${first} routed first`);
    gate.release(2);
    expect((await answer).status).toBe(200);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    const units = (list: RecordedCall[]) => list.reduce((n, c) => n + c.units, 0);
    const reads = calls.filter(isRead);
    const writes = calls.filter((c) => !isRead(c));
    const cost = { calls: calls.length, readUnits: units(reads), writeUnits: units(writes) };
    return { ...(await outcome(inspect)), cost };
  } finally {
    inspect.destroy();
    await runtime.close();
  }
}

describe('local runtime: a photo sent with a question', () => {
  it('the AI answers the question and the photo goes to a person, whichever is routed first', async () => {
    const textFirst = await photoWithQuestion('text');
    const photoFirst = await photoWithQuestion('photo');
    // The same outcome, at the same cost (the pair as one message each: 49 calls since the AI's first
    // answer owes its first-response count, settled in 3 writes more; 46 before; 44 before WhatsApp
    // replies wrote their message reference again, for statuses without the key, 45 before the AI's
    // answer counted for the wait from its place right after the question: its end of the wait the
    // photo began is refused, a conditional write that fails). The write units may differ by the order
    // (30 both before the conversation kept its first wait's start, `firstWaitFrom`, 37 bytes, and its
    // language, `language`, 10 bytes): routed photo first, the AI's first-response mark and its settle
    // find the item past 1 KB (its escalation's attributes plus the count owed meanwhile, `countOwed` and
    // `countOwedFrom`, 120 bytes), 2 units each; every touch of the conversation stays at 1 unit.
    const sized = ({ cost: { writeUnits: _units, ...cost }, ...rest }: typeof textFirst) => ({
      ...rest,
      cost,
    });
    expect(sized(textFirst)).toEqual(sized(photoFirst));
    expect(Math.max(textFirst.cost.writeUnits, photoFirst.cost.writeUnits)).toBeLessThanOrEqual(32);
    expect(photoFirst.cost.calls).toBeLessThanOrEqual(49);
    expect(photoFirst.aiAnswers).toBe(1);
    expect(photoFirst.text).toBe('ai routine');
    expect(photoFirst.photo).toMatch(/^human /);
    expect(photoFirst.notes).toHaveLength(1);
    expect(photoFirst.notes[0]?.id).toBe(`note:handoff:${PHOTO_ID}`);
    // The agent reads the question with the photo.
    const note = photoFirst.notes[0]?.lines.join('\n');
    expect(note).toContain('(image, no text)');
    expect(note).toContain(`"${QUESTION}"`);
  }, 60_000);
});
