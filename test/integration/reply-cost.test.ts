import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsPage } from '#shared/domain/live/events.js';
import { seqAt } from '#shared/domain/live/seq.js';
import type { ChannelSender } from '#shared/domain/outbound.js';
import { RetryableSendError } from '#shared/domain/send-errors.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { customerIdOf } from '../support/open-conversation.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

const SECRET = 'reply-cost-secret';
const TOKEN = agentToken('reply-cost-token');
const QUESTION = 'How long does shipping take?';

/** One DynamoDB write as the table saw it: the command, the item's key and the write units billed. */
type Write = RecordedCall;

/**
 * The AI's reply to a message is one timeline item, placed right after the message with routing's
 * decision on it: no `REPLY#<id>` item and no `routed` item of its own. Counted on the real DynamoDB
 * API (dynalite) through the local runtime; the crash and redelivery cases run the same pipeline.
 */
describe("local runtime: the AI's reply, its decision and its idempotency in one item", () => {
  let runtime: LocalRuntime;
  const writes: Write[] = [];
  const outbox = new LocalOutbox();
  /** Bodies put on the outbound queue (replies handed to the sender). */
  let enqueued = 0;
  /** The DelaySeconds of each send to the outbound queue. */
  const delays: Array<number | undefined> = [];
  /** The queues' time: a delayed reply comes out when the test moves it, not after a real wait. */
  const queueTime = new SteppedTimers();
  let failNextSend = false;
  let crashOnNextMetrics = false;
  const whatsapp = outbox.sender();
  const flaky: ChannelSender = {
    send: async (message) => {
      if (failNextSend) {
        failNextSend = false;
        throw new RetryableSendError('throttled by the provider');
      }
      return whatsapp.send(message);
    },
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-rc:${TOKEN}`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile(),
      },
      routing: true,
      live: true,
      queue: { visibilityTimeoutMs: 50, timers: queueTime },
      senders: { whatsapp: flaky },
      timers: stillTimers(),
      dynamoClient: (c) => {
        c.middlewareStack.add(
          (next) => async (args) => {
            const pk = (args.input as { Key?: { pk?: unknown } }).Key?.pk;
            const onMetrics = JSON.stringify(pk ?? '').includes('METRICS#');
            if (crashOnNextMetrics && onMetrics) {
              crashOnNextMetrics = false;
              throw new Error('crash between the reply and its send');
            }
            return next(args);
          },
          { step: 'initialize', name: 'crashOnce' },
        );
        recordCalls(c, writes, { writesOnly: true });
        return c;
      },
    });
    const send = runtime.outbound.send.bind(runtime.outbound);
    runtime.outbound.send = async (bodies, options) => {
      enqueued += bodies.length;
      delays.push(options?.delaySeconds);
      return send(bodies, options);
    };
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const ask = (phone: string, wamid: string, at = new Date().toISOString()) =>
    whatsappText({ from: phone, name: 'Rita', messages: [{ id: wamid, at, text: QUESTION }] });
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const customerOf = (phone: string) => customerIdOf(runtime, phone);
  const timeline = async (customerId: string) =>
    (await api<{ items: TimelineItem[] }>(`/api/customers/${customerId}/timeline`)).items;
  const aiReplies = (phone: string) =>
    outbox.entries().filter((e) => e.message.author.kind === 'ai' && e.message.to.value === `+${phone}`);

  it('writes no REPLY# item, no routed item and no send claim: the reply item carries all three', async () => {
    const phone = '447700900301';
    await post(ask(phone, 'wamid.RC1'));
    writes.length = 0;
    enqueued = 0;
    await post(ask(phone, 'wamid.RC2'));
    // Sent by the resolver that stored it: nothing on the outbound queue, no sender invocation.
    expect(enqueued).toBe(0);
    const [reply] = aiReplies(phone).slice(-1);
    if (!reply) throw new Error('the AI did not answer');
    await post(
      whatsappStatus({
        id: reply.providerMessageId,
        status: 'delivered',
        at: new Date().toISOString(),
        recipient: phone,
        callbackData: reply.replyKey,
      }),
    );

    expect(writes.filter((w) => w.pk.startsWith('REPLY#'))).toEqual([]);
    expect(writes.filter((w) => w.sk.includes('#route:'))).toEqual([]);
    const onReply = writes.filter((w) => w.sk.endsWith(`#reply:${reply.message.id}`));
    // Put (with the decision and the send lease), the provider id with `sent`, `delivered`.
    expect(onReply.map((w) => w.command)).toEqual(['PutItem', 'UpdateItem', 'UpdateItem']);
    // Placed right after the message it answers, at a key that follows from it.
    const question = writes.find((w) => w.command === 'PutItem' && w.sk.endsWith('#whatsapp:wamid.RC2'));
    const askedAt = question?.sk.split('#')[1] ?? '';
    expect(onReply[0]?.sk).toBe(
      `TIMELINE#${new Date(Date.parse(askedAt) + 1).toISOString()}#reply:${reply.message.id}`,
    );
    expect(reply.message.placedAt).toBe(onReply[0]?.sk.split('#')[1]);
    // Each a write unit while the item stays under 1 KB.
    expect(onReply.map((w) => w.units)).toEqual([1, 1, 1]);
  });

  it('shows the decision on the timeline, in the live events and beside the reply, as before', async () => {
    const phone = '447700900302';
    const started = Date.now() - 1_000;
    await post(ask(phone, 'wamid.RC3'));
    const customerId = await customerOf(phone);
    const items = await timeline(customerId);
    const ids = items.map((i) => i.id);
    const [reply] = aiReplies(phone);
    const at = items.find((i) => i.id === 'whatsapp:wamid.RC3')?.at;
    const routed = items.find((i) => i.id === 'route:whatsapp:wamid.RC3');
    expect(routed).toMatchObject({
      type: 'event',
      event: 'routed',
      at,
      customerId,
      conversationId: reply?.message.conversationId,
      channel: 'whatsapp',
      data: {
        target: 'ai',
        queue: 'general',
        reason: 'routine',
        afterHours: false,
        itemId: 'whatsapp:wamid.RC3',
      },
    });
    expect(routed?.data?.detail).toMatch(/^the AI answers/);
    const replyItem = items.find((i) => i.id === `reply:${reply?.message.id}`);
    expect(replyItem?.data).toEqual({ author: { kind: 'ai', id: 'responder' } });
    // Stored without what its key says (id, customer); read with them.
    expect(replyItem?.customerId).toBe(customerId);
    const client = inspectionClient(runtime.dynamoEndpoint);
    const sk = `TIMELINE#${reply?.message.placedAt}#${replyItem?.id}`;
    const stored = (await scanTable(client, 'threadline')).find((i) => i.sk === sk);
    client.destroy();
    expect(stored).toMatchObject({ entity: 'timeline', text: replyItem?.text });
    expect(stored).not.toHaveProperty('id');
    expect(stored).not.toHaveProperty('customerId');
    // Its `at` is when it was written (first response, display); its place is right after the decision.
    expect(replyItem?.at).toBe(reply?.message.at);
    expect(ids.indexOf(`reply:${reply?.message.id}`)).toBe(ids.indexOf('route:whatsapp:wamid.RC3') + 1);

    const events: EventsPage['events'] = [];
    for (let since = seqAt(started), more = true; more; ) {
      const page = await api<EventsPage>(`/api/events?since=${since}`);
      events.push(...page.events);
      [since, more] = [page.seq, page.more];
    }
    const live = events.flatMap((e) =>
      e.type === 'timeline.item' && e.customerId === customerId ? [e.item] : [],
    );
    expect(live.filter((i) => i.id === 'route:whatsapp:wamid.RC3')).toEqual([routed]);
    expect(live.filter((i) => i.id === replyItem?.id).length).toBeGreaterThan(1);
    for (const item of live.filter((i) => i.id === replyItem?.id))
      expect(item.data).not.toHaveProperty('routed');
  });

  it('hands the reply to the sender when sending fails for now: the lease let go, delayed 20 s, sent once', async () => {
    const phone = '447700900305';
    await post(ask(phone, 'wamid.RC7'));
    writes.length = 0;
    enqueued = 0;
    delays.length = 0;
    failNextSend = true;
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', ask(phone, 'wamid.RC8'), SECRET));
    expect(res.status).toBe(200);
    await runtime.inbound.idle();
    expect(failNextSend).toBe(false);
    expect(enqueued).toBe(1);
    expect(delays).toEqual([20]);
    // The provider is given its pause: the sender has not received the reply yet.
    queueTime.advance(15_000);
    expect(aiReplies(phone)).toHaveLength(1);
    expect(runtime.outbound.messages().map((m) => m.receiveCount)).toEqual([0]);
    queueTime.advance(5_000);
    await runtime.idle();
    const sent = aiReplies(phone);
    expect(sent).toHaveLength(2);
    const replyId = sent[1]?.message.id;
    const onReply = writes.filter((w) => w.sk.endsWith(`#reply:${replyId}`));
    // The put's lease, released; the sender's claim, taken at once (no failed claim); its `sent`.
    expect(onReply.map((w) => [w.command, w.failed])).toEqual([
      ['PutItem', false],
      ['UpdateItem', false],
      ['UpdateItem', false],
      ['UpdateItem', false],
    ]);
    const items = await timeline(await customerOf(phone));
    expect(items.filter((i) => i.direction === 'outbound').map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('sends the same reply once when a crash came after its put and before its send', async () => {
    const phone = '447700900303';
    await post(ask(phone, 'wamid.RC4'));
    enqueued = 0;
    crashOnNextMetrics = true;
    await post(ask(phone, 'wamid.RC5'));
    expect(crashOnNextMetrics).toBe(false);
    const customerId = await customerOf(phone);
    const items = await timeline(customerId);
    const replies = items.filter((i) => i.direction === 'outbound');
    expect(replies).toHaveLength(2);
    expect(items.filter((i) => i.event === 'routed').map((i) => i.id)).toEqual([
      'route:whatsapp:wamid.RC4',
      'route:whatsapp:wamid.RC5',
    ]);
    // The redelivered message found the reply unsent and queued it: the sender sent it, once.
    expect(enqueued).toBe(1);
    const sent = aiReplies(phone);
    expect(sent.map((e) => e.message.id)).toEqual(replies.map((r) => r.id.slice('reply:'.length)));
    expect(sent[1]?.message.text).toBe(replies[1]?.text);
    expect(replies.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('sends nothing more when the provider delivers an answered message again', async () => {
    const phone = '447700900304';
    const at = new Date().toISOString();
    await post(ask(phone, 'wamid.RC6', at));
    writes.length = 0;
    await post(ask(phone, 'wamid.RC6', at));
    expect(aiReplies(phone)).toHaveLength(1);
    const items = await timeline(await customerOf(phone));
    expect(items.filter((i) => i.direction === 'outbound')).toHaveLength(1);
    expect(items.filter((i) => i.event === 'routed')).toHaveLength(1);
    // The decision and the reply are found where they were placed: routing and the sender write nothing.
    const reply = aiReplies(phone)[0];
    const routingWrites = writes.filter(
      (w) =>
        w.pk.startsWith('REPLY#') ||
        w.pk.startsWith('METRICS') ||
        w.sk.includes('#route:') ||
        w.sk.includes('#reply:') ||
        w.pk.startsWith(`MESSAGE#whatsapp#${reply?.providerMessageId}`),
    );
    expect(routingWrites).toEqual([]);
  });
});
