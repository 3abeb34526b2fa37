import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InboxConversation } from '#shared/domain/inbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { countKeyWrites } from '../support/key-writes.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const MINUTE = 60_000;
const TOKEN = agentToken('inbox-waiting-token');
/** A routine question: the AI answers it. */
const QUESTION = 'How long does shipping take?';
/** The customer asks for a person: routing hands off, and the AI stays silent after. */
const HANDOFF = 'I want to speak to a person, please.';

/**
 * The inbox's "waiting" is the customer's oldest message no answer followed: the AI's answer or an
 * agent's reply, once sent, ends it; the customer's next message starts it again from that message.
 * Waiting conversations list first, oldest unanswered message first, the answered ones after them.
 * Through the local runtime (webhooks, resolver with routing and the AI, sender, agent API) on
 * dynalite, with every write counted: the table's units and the list index's entries.
 */
describe('local runtime: the inbox waits on unanswered customers only', () => {
  const time = new ManualTimers(Date.parse('2026-03-02T09:00:00.000Z'));
  let runtime: LocalRuntime;
  let indexWrites = new Map<string, number>();
  const calls: RecordedCall[] = [];
  let sequence = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      env: { AGENT_TOKENS: `agent-wait:${TOKEN}` },
      dynamoClient: (client) => {
        indexWrites = countKeyWrites(client);
        recordCalls(client, calls, { writesOnly: true });
        return client;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json() as Promise<Record<string, unknown>>;
  };
  /** The customer writes on WhatsApp at the runtime's time (a minute after the last step). */
  const write = async (phone: string, text: string, id = `wamid.WAIT${++sequence}`) => {
    time.advance(MINUTE);
    const at = new Date(time.now()).toISOString();
    const body = whatsappText({ from: phone, name: `Wait ${phone.slice(-2)}`, messages: [{ id, at, text }] });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
    return { id, at };
  };
  const again = async (phone: string, message: { id: string; at: string }, text: string) => {
    const body = whatsappText({
      from: phone,
      name: `Wait ${phone.slice(-2)}`,
      messages: [{ ...message, text }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
  };
  const conversationOf = (phone: string) => openConversationOf(runtime, phone);
  const conversation = async (id: string) => {
    const found = await runtime.store.conversations.getConversation(id);
    if (!found) throw new Error(`no conversation ${id}`);
    return found;
  };
  /**
   * An agent replies: the sender takes the reply once the request is over, as it would a moment
   * later on AWS, so the writes are counted one at a time (the counter reads around each write).
   */
  const reply = async (conversationId: string, text: string) => {
    time.advance(MINUTE);
    const held: Array<Parameters<LocalRuntime['outbound']['send']>> = [];
    const send = runtime.outbound.send;
    runtime.outbound.send = async (...args) => {
      held.push(args);
      return [];
    };
    try {
      await api('POST', `/api/conversations/${conversationId}/replies`, { text });
    } finally {
      runtime.outbound.send = send;
    }
    for (const args of held) await send.apply(runtime.outbound, args);
    await runtime.idle();
    return new Date(time.now()).toISOString();
  };
  const inbox = async (ids: string[]) => {
    const page = (await api('GET', '/api/conversations?status=open&limit=200')) as unknown as {
      items: InboxConversation[];
    };
    return page.items.filter((c) => ids.includes(c.id)).map((c) => ({ id: c.id, waiting: c.waiting }));
  };
  /** What a step wrote: list index entries (inbox partitions), and the conversation's writes and units. */
  const cost = async (conversationId: () => Promise<string>, step: () => Promise<unknown>) => {
    await runtime.idle();
    indexWrites.clear();
    calls.length = 0;
    await step();
    await runtime.idle();
    const id = await conversationId();
    const onConversation = calls.filter((c) => c.pk === `CONVERSATION#${id}`);
    return {
      index: [...indexWrites]
        .filter(([key]) => key.startsWith('gsi1pk=INBOX#'))
        .reduce((n, [, c]) => n + c, 0),
      conversationWrites: onConversation.length,
      conversationUnits: onConversation.reduce((n, c) => n + c.units, 0),
      failedConditions: onConversation.filter((c) => c.failed).length,
    };
  };

  it('waits from the unanswered message: the AI answers, the customer writes, an agent replies', async () => {
    const phone = '15550400001';
    await write(phone, QUESTION);
    const id = await conversationOf(phone);
    const answered = await conversation(id);
    expect(answered.waitingSince).toBeUndefined();
    expect(answered.answeredAt).toEqual(expect.any(String));
    expect(await inbox([id])).toEqual([{ id, waiting: false }]);
    // Answered again with nobody waiting (its answer writes nothing): delivered again, it waits for nothing.
    const second = await write(phone, QUESTION);
    await again(phone, second, QUESTION);
    expect((await conversation(id)).waitingSince).toBeUndefined();
    expect(await inbox([id])).toEqual([{ id, waiting: false }]);

    const handoff = await write(phone, HANDOFF);
    expect((await conversation(id)).waitingSince).toBe(handoff.at);
    const more = await write(phone, 'Anyone there?');
    expect((await conversation(id)).waitingSince).toBe(handoff.at);
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);

    const repliedAt = await reply(id, 'Here now: let me look at your order.');
    const afterReply = await conversation(id);
    expect(afterReply.waitingSince).toBeUndefined();
    expect(afterReply.answeredAt).toBe(repliedAt);
    // The customer's message delivered again does not bring the wait back.
    await again(phone, more, 'Anyone there?');
    expect((await conversation(id)).waitingSince).toBeUndefined();

    const next = await write(phone, 'Thanks! One more thing.');
    expect((await conversation(id)).waitingSince).toBe(next.at);
    expect(await inbox([id])).toEqual([{ id, waiting: true }]);
  });

  it('lists the waiting first, oldest unanswered message first, then the answered', async () => {
    const [early, answered, handedOff, later] = ['15550400011', '15550400012', '15550400013', '15550400014'];
    await write(early, QUESTION);
    await write(answered, QUESTION);
    await write(handedOff, HANDOFF);
    await write(later, HANDOFF);
    // Answered first, it waits only from its new message: after the two that waited before it.
    await write(early, HANDOFF);
    const ids = await Promise.all([early, answered, handedOff, later].map(conversationOf));
    const [earlyId, answeredId, handedOffId, laterId] = ids as [string, string, string, string];
    expect(await inbox(ids)).toEqual([
      { id: handedOffId, waiting: true },
      { id: laterId, waiting: true },
      { id: earlyId, waiting: true },
      { id: answeredId, waiting: false },
    ]);
    // An agent's reply moves it after the waiting ones.
    await reply(handedOffId, 'On it.');
    expect(await inbox(ids)).toEqual([
      { id: laterId, waiting: true },
      { id: earlyId, waiting: true },
      { id: answeredId, waiting: false },
      { id: handedOffId, waiting: false },
    ]);
    // The default order is the same page by page: the cursor resumes after the last sort key.
    const first = (await api('GET', '/api/conversations?status=open&limit=1')) as { cursor: string | null };
    expect(first.cursor).toEqual(expect.any(String));
  });

  it('costs index writes only when a wait starts or ends', async () => {
    const phone = '15550400021';
    const id = () => conversationOf(phone);
    const figures = {
      newCustomerAnsweredByAi: await cost(id, () => write(phone, QUESTION)),
      answeredByAiAgain: await cost(id, () => write(phone, QUESTION)),
      handedOffStartsWait: await cost(id, () => write(phone, HANDOFF)),
      whileWaiting: await cost(id, () => write(phone, 'Still there?')),
    };
    const other = '15550400022';
    Object.assign(figures, {
      newCustomerHandedOff: await cost(
        () => conversationOf(other),
        () => write(other, HANDOFF),
      ),
    });
    await api('POST', `/api/conversations/${await id()}/assign`, { agentId: 'me' });
    Object.assign(figures, {
      agentReplyEndsWait: await cost(id, async () => reply(await id(), 'Yes, looking now.')),
      agentReplyAgain: await cost(id, async () => reply(await id(), 'Found it.')),
      messageAfterAgentStartsWait: await cost(id, () => write(phone, 'Great, thanks')),
    });
    // Before this change (measured the same way): 1, 0, 1, 0, 0, 0, 0 index writes and 2, 1, 3, 1, 2, 2, 1
    // conversation writes; `waitingSince` then never ended before the conversation was resolved.
    expect(figures).toEqual({
      // The touch leaves it unlisted; the AI's first-response mark lists it answered (1), in its write;
      // the first response it owes is then counted and settled on the conversation (one write more since
      // 2026-12-07: a crash between mark and count no longer loses the count).
      newCustomerAnsweredByAi: { index: 1, conversationWrites: 3, conversationUnits: 3, failedConditions: 0 },
      // Listed after routing, so after the hand-off's assignment: one entry, with its queue (before
      // waiting: 2 entries, the touch's and the assignment's, and 3 writes).
      newCustomerHandedOff: { index: 1, conversationWrites: 4, conversationUnits: 4, failedConditions: 0 },
      // Answered and answered again: nobody waited (the touch says so), so the answer writes nothing.
      answeredByAiAgain: { index: 0, conversationWrites: 1, conversationUnits: 1, failedConditions: 0 },
      // The wait starts after routing: the entry moves among the waiting (2), the hand-off's queue (1).
      handedOffStartsWait: { index: 3, conversationWrites: 4, conversationUnits: 4, failedConditions: 0 },
      whileWaiting: { index: 0, conversationWrites: 1, conversationUnits: 1, failedConditions: 0 },
      // The failed condition is the reply's take of an unassigned conversation (it is assigned). The
      // first reply by a person after the AI's answer also records `firstHumanResponseAt` (one
      // conditional write more, 2 units: was 3 writes, 3 units), owing its count on the conversation
      // in that write (`countOwed`, 2 units more), settled after the day's add (one write more, 1 unit:
      // a crash between the two no longer loses the count; was 4 writes, 5 units). Since 2026-12-07 the
      // item keeps its first wait's start (`firstWaitFrom`, 37 bytes, in the touch's write), which takes
      // one of these writes over 1 KB: 9 units, where it was 8; the same writes.
      agentReplyEndsWait: { index: 2, conversationWrites: 5, conversationUnits: 9, failedConditions: 1 },
      // A follow-up reply ends no wait (its answer write fails its condition) and is kept as the
      // latest answer sent (`lastAnswerAt`), which takes this item over 1 KB until the next answer
      // that ends a wait removes it (2 units a write). A person's first response being recorded, it
      // tries no first-response write (was 4 writes, 5 units, 2 failed).
      agentReplyAgain: { index: 0, conversationWrites: 3, conversationUnits: 5, failedConditions: 1 },
      messageAfterAgentStartsWait: {
        index: 2,
        conversationWrites: 2,
        conversationUnits: 4,
        failedConditions: 0,
      },
    });
  });
});
