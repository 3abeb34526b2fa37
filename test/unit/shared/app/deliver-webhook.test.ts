import { Webhook } from 'standardwebhooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { type DeliverDeps, deliverWebhook } from '#shared/app/deliver-webhook.js';
import type { IntegrationEvent } from '#shared/domain/events/integration-events.js';
import type { PostOutcome } from '#shared/domain/webhook-ports.js';
import { newDelivery, type Subscription } from '#shared/domain/webhooks.js';
import { standardWebhooksSigner } from '#shared/http/webhook-post.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
// Now, to the second: the verifier refuses a timestamp more than 5 minutes from its own clock.
const START = Math.floor(Date.now() / 1000) * 1000;
const event: IntegrationEvent = {
  id: 'evt_1',
  type: 'message.received',
  timestamp: '2026-12-03T09:59:00.000Z',
  data: { customerId: 'cu_1', conversationId: 'cv_1', messageId: 'whatsapp:wamid.1', text: 'hi' },
};
const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  id: 'wh_1',
  url: 'https://hooks.example.com/t',
  events: ['message.received', 'customer.erased'],
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'zoe',
  secrets: [{ secret: SECRET }],
  consecutiveFailures: 0,
  ...over,
});

describe('deliverWebhook', () => {
  let world: ReturnType<typeof memoryWebhooks>;
  let now: number;
  let answers: PostOutcome[];
  let posts: Array<{ headers: Record<string, string>; body: string }>;
  let erased: Set<string>;
  let deps: DeliverDeps;
  const delivery = newDelivery({ id: 'wh_1' }, event);
  const message = { deliveryId: delivery.id, subscriptionId: 'wh_1' };
  /** Runs the queue as SQS would: each sent message once its delay is over, the clock moved to it. */
  const runQueue = async (limit = 50) => {
    for (let i = 0; i < limit && world.sent.length > 0; i++) {
      const next = world.sent.shift();
      if (!next) break;
      now += next.delaySeconds * 1000;
      await deliverWebhook(deps, next.message);
    }
  };

  beforeEach(async () => {
    world = memoryWebhooks();
    now = START;
    answers = [];
    posts = [];
    erased = new Set();
    deps = {
      store: world.store,
      queue: world.queue,
      post: async (request) => {
        posts.push({ headers: request.headers, body: request.body });
        return answers.shift() ?? { kind: 'answered', status: 200 };
      },
      sign: standardWebhooksSigner,
      isErased: async (id) => erased.has(id),
      clock: { now: () => new Date(now) },
      random: () => 0.5,
      log: () => undefined,
    };
    await world.store.putSubscription(subscription());
    await world.store.createDelivery(delivery);
  });

  it('signs per Standard Webhooks: the standardwebhooks package verifies the request', async () => {
    await deliverWebhook(deps, message);
    const [post] = posts;
    expect(post?.headers['webhook-id']).toBe(delivery.id);
    expect(post?.headers['webhook-timestamp']).toBe(String(START / 1000));
    const verified = new Webhook(SECRET).verify(post?.body ?? '', {
      'webhook-id': post?.headers['webhook-id'] ?? '',
      'webhook-timestamp': post?.headers['webhook-timestamp'] ?? '',
      'webhook-signature': post?.headers['webhook-signature'] ?? '',
    }) as IntegrationEvent;
    expect(verified).toEqual(event);
    expect((await world.store.getDelivery('wh_1', delivery.id))?.status).toBe('delivered');
  });

  it('is refused by the verifier when signed with another secret', async () => {
    await world.store.setSecrets('wh_1', [{ secret: OLD_SECRET }], SECRET);
    await deliverWebhook(deps, message);
    const headers = posts[0]?.headers ?? {};
    expect(() => new Webhook(SECRET).verify(posts[0]?.body ?? '', headers)).toThrow();
  });

  it('signs with both secrets during a rotation, and only the new one after 24 hours', async () => {
    const rotating = [
      { secret: SECRET },
      { secret: OLD_SECRET, expiresAt: new Date(START + 86_400_000).toISOString() },
    ];
    await world.store.setSecrets('wh_1', rotating, SECRET);
    await deliverWebhook(deps, message);
    const signatures = posts[0]?.headers['webhook-signature']?.split(' ') ?? [];
    expect(signatures).toHaveLength(2);
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(() => new Webhook(secret).verify(posts[0]?.body ?? '', posts[0]?.headers ?? {})).not.toThrow();
    }
    expect(standardWebhooksSigner([SECRET], 'msg_x', new Date(), '{}').split(' ')).toHaveLength(1);
  });

  it('retries on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) then gives up after 24 hours', async () => {
    answers = Array.from({ length: 20 }, () => ({ kind: 'answered', status: 500 }) as const);
    await deliverWebhook(deps, message);
    await runQueue(500);
    expect(posts).toHaveLength(8);
    const at = (await world.store.getDelivery('wh_1', delivery.id)) ?? ({} as never);
    expect(at).toMatchObject({ status: 'failed', attempts: 8, lastStatus: 500, lastError: 'HTTP 500' });
    // The attempts' times: every gap is the schedule's (random 0.5: no jitter), the last cut to 24 h.
    expect(Date.parse(at.lastAttemptAt as string) - START).toBe(24 * 3_600_000);
  });

  it('waits in steps of at most 15 minutes, SQS’s longest delay', async () => {
    answers = Array.from({ length: 3 }, () => ({ kind: 'answered', status: 503 }) as const);
    await deliverWebhook(deps, message);
    expect(world.sent.at(-1)?.delaySeconds).toBe(5);
    await runQueue(1);
    expect(world.sent.at(-1)?.delaySeconds).toBe(300);
    await runQueue(1);
    // 30 minutes: two steps of 900 s; the first step does not post.
    expect(world.sent.at(-1)?.delaySeconds).toBe(900);
    const before = posts.length;
    await runQueue(1);
    expect(posts.length).toBe(before);
    expect(world.sent.at(-1)?.delaySeconds).toBe(900);
  });

  it('honours a Retry-After longer than the schedule', async () => {
    answers = [{ kind: 'answered', status: 429, retryAfterMs: 120_000 }];
    await deliverWebhook(deps, message);
    expect(world.sent.at(-1)?.delaySeconds).toBe(120);
    expect((await world.store.getDelivery('wh_1', delivery.id))?.nextAttemptAt).toBe(
      new Date(START + 120_000).toISOString(),
    );
  });

  it('disables the subscription on 410 Gone with a warning, and pauses its backlog instead of cancelling it', async () => {
    const logged: Array<[string, string, Record<string, unknown>]> = [];
    deps.log = (level, text, fields) => void logged.push([level, text, fields]);
    answers = [{ kind: 'answered', status: 410 }];
    await deliverWebhook(deps, message);
    expect((await world.store.getSubscription('wh_1'))?.disabledAt).toBe(new Date(START).toISOString());
    expect(await world.store.getDelivery('wh_1', delivery.id)).toMatchObject({
      status: 'paused',
      attempts: 1,
      lastStatus: 410,
    });
    expect(world.sent).toEqual([]);
    expect(logged.filter(([level]) => level === 'warn')).toEqual([
      [
        'warn',
        'webhook subscription disabled',
        { subscriptionId: 'wh_1', reason: 'the endpoint answered 410 Gone', deliveryId: delivery.id },
      ],
    ]);
    // The next delivery of the backlog is paused too, with its payload, never tried.
    const other = newDelivery({ id: 'wh_1' }, { ...event, id: 'evt_2' });
    await world.store.createDelivery(other);
    await deliverWebhook(deps, { deliveryId: other.id, subscriptionId: 'wh_1' });
    expect(posts).toHaveLength(1);
    const paused = await world.store.getDelivery('wh_1', other.id);
    expect(paused).toMatchObject({ status: 'paused', attempts: 0, lastError: 'subscription disabled' });
    expect(paused?.event).toEqual(other.event);
    expect([...(world.paused.get('wh_1') ?? [])].sort()).toEqual([delivery.id, other.id].sort());
  });

  it('sends a delivery it paused on a moment-old copy of its subscription at once, the subscription being enabled meanwhile', async () => {
    // The eventually consistent read still shows it disabled; an enable has run and found no note.
    const read = world.store.getSubscription;
    world.store.getSubscription = async (id, consistency) =>
      consistency === 'eventual' ? subscription({ disabledAt: new Date(START).toISOString() }) : read(id);
    await deliverWebhook(deps, message);
    expect(await world.store.getDelivery('wh_1', delivery.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    // Resumed under a claim of its own, which its message carries.
    expect(world.sent.map((s) => s.message)).toEqual([
      { ...message, queuedAt: new Date(START).toISOString() },
    ]);
    // Its note is left (the webhooks function deletes nothing): an enable lets it go.
    expect(world.paused.get('wh_1')?.size).toBe(1);
    world.store.getSubscription = read;
    await runQueue();
    expect(posts).toHaveLength(1);
  });

  it('sends a delivery its 410 paused at once when an enable landed between the disable and its note', async () => {
    answers = [{ kind: 'answered', status: 410 }];
    // The enable runs after the disable, before the paused note is written: it finds no note.
    const pause = world.store.pauseDelivery;
    world.store.pauseDelivery = async (paused) => {
      await world.store.putSubscription(subscription());
      await pause(paused);
    };
    await deliverWebhook(deps, message);
    expect(await world.store.getDelivery('wh_1', delivery.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      priorAttempts: 1,
    });
    expect(world.sent.map((s) => s.message)).toEqual([
      { ...message, queuedAt: new Date(START).toISOString() },
    ]);
    world.store.pauseDelivery = pause;
    await runQueue();
    expect(posts).toHaveLength(2);
    expect((await world.store.getDelivery('wh_1', delivery.id))?.status).toBe('delivered');
  });

  it('retries as any other a delivery whose claim a check took over, and none a check of a claim taken since', async () => {
    const claim = new Date(START - 900_000).toISOString();
    await world.store.updateDelivery({ ...delivery, queuedAt: claim });
    answers = [{ kind: 'answered', status: 500 }];
    await deliverWebhook(deps, { ...message, claim });
    expect(posts).toHaveLength(1);
    // Its retry is the delivery's own message, no longer a check: it goes out though the delivery was tried.
    // It carries the claim the check took, so the message the check stood in for, if only slow, sends nothing.
    expect(world.sent.map((s) => s.message)).toEqual([
      { ...message, dueAt: expect.any(String), queuedAt: new Date(START).toISOString() },
    ]);
    await runQueue();
    expect(posts).toHaveLength(2);
    expect(await world.store.getDelivery('wh_1', delivery.id)).toMatchObject({
      status: 'delivered',
      attempts: 2,
    });
    // A check of the old claim, coming again now, sends nothing.
    await deliverWebhook(deps, { ...message, claim });
    expect(posts).toHaveLength(2);
  });

  it('opens the breaker after 5 failures in a row: deliveries wait without calling the endpoint', async () => {
    await world.store.putSubscription(subscription({ consecutiveFailures: 4 }));
    answers = [{ kind: 'failed', reason: 'no answer within 10000 ms' }];
    await deliverWebhook(deps, message);
    const sub = await world.store.getSubscription('wh_1');
    expect(sub?.circuitOpenUntil).toBe(new Date(START + 60_000).toISOString());
    const other = newDelivery({ id: 'wh_1' }, { ...event, id: 'evt_2' });
    await world.store.createDelivery(other);
    await deliverWebhook(deps, { deliveryId: other.id, subscriptionId: 'wh_1' });
    expect(posts).toHaveLength(1);
    // It waits for the breaker to close, then half of one more window (random 0.5): 60 s + 30 s.
    expect(world.sent.at(-1)).toEqual({
      message: {
        deliveryId: other.id,
        subscriptionId: 'wh_1',
        dueAt: new Date(START + 90_000).toISOString(),
      },
      delaySeconds: 90,
    });
    // Never attempted, it notes when it is due: a check of its queueing claim leaves it to this message.
    expect(await world.store.getDelivery('wh_1', other.id)).toMatchObject({
      attempts: 0,
      nextAttemptAt: new Date(START + 90_000).toISOString(),
    });
    // Once it is due, a success closes the breaker.
    now += 90_000;
    await deliverWebhook(deps, { deliveryId: other.id, subscriptionId: 'wh_1' });
    expect(posts).toHaveLength(2);
    expect(await world.store.getSubscription('wh_1')).toMatchObject({ consecutiveFailures: 0 });
    expect((await world.store.getSubscription('wh_1'))?.circuitOpenUntil).toBeUndefined();
  });

  it('shows a retry the breaker overtook at the time it is really tried, not a time already past', async () => {
    await world.store.putSubscription(subscription({ consecutiveFailures: 4 }));
    answers = [{ kind: 'failed', reason: 'no answer within 10000 ms' }];
    await deliverWebhook(deps, message);
    // Its retry was due in 5 s (random 0.5: no jitter); the breaker opened for 60 s with the failure.
    expect((await world.store.getDelivery('wh_1', delivery.id))?.nextAttemptAt).toBe(
      new Date(START + 5_000).toISOString(),
    );
    await runQueue(1);
    expect(posts).toHaveLength(1);
    // Held: the log says when it goes, the breaker's close plus half a window (60 s + 30 s).
    const held = await world.store.getDelivery('wh_1', delivery.id);
    expect(held).toMatchObject({ attempts: 1, nextAttemptAt: new Date(START + 90_000).toISOString() });
    // The held message comes back when that time is due, and writes nothing more on the way.
    expect(world.sent.at(-1)?.message.dueAt).toBe(new Date(START + 90_000).toISOString());
  });

  it('stops an erased customer’s events at once, dropping the payload, but sends customer.erased', async () => {
    erased.add('cu_1');
    await deliverWebhook(deps, message);
    expect(posts).toEqual([]);
    const cancelled = await world.store.getDelivery('wh_1', delivery.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', lastError: 'customer erased' });
    expect(cancelled?.event).toBeUndefined();
    const erasure = newDelivery(
      { id: 'wh_1' },
      { ...event, id: 'evt_e', type: 'customer.erased', data: { customerId: 'cu_1' } },
    );
    await world.store.createDelivery(erasure);
    await deliverWebhook(deps, { deliveryId: erasure.id, subscriptionId: 'wh_1' });
    expect(posts).toHaveLength(1);
  });

  it('does nothing for a delivery already delivered (a message received twice)', async () => {
    await deliverWebhook(deps, message);
    await deliverWebhook(deps, message);
    expect(posts).toHaveLength(1);
  });

  it('cancels a delivery whose subscription was deleted', async () => {
    await world.store.deleteSubscription('wh_1');
    await deliverWebhook(deps, message);
    expect(posts).toEqual([]);
    expect((await world.store.getDelivery('wh_1', delivery.id))?.status).toBe('cancelled');
  });

  it('lets a backlog held by the breaker go spread over one more window, and the first failure holds the rest again', async () => {
    const openUntil = START + 60_000;
    await world.store.putSubscription(
      subscription({ consecutiveFailures: 5, circuitOpenUntil: new Date(openUntil).toISOString() }),
    );
    const backlog = Array.from({ length: 20 }, (_, i) =>
      newDelivery({ id: 'wh_1' }, { ...event, id: `evt_b${i}` }),
    );
    const randoms = backlog.map((_, i) => i / backlog.length);
    deps.random = () => randoms.shift() ?? 0;
    for (const d of backlog) {
      await world.store.createDelivery(d);
      await deliverWebhook(deps, { deliveryId: d.id, subscriptionId: 'wh_1' });
    }
    expect(posts).toEqual([]);
    const due = world.sent.map((s) => Date.parse(s.message.dueAt as string));
    expect(Math.min(...due)).toBe(openUntil);
    expect(Math.max(...due)).toBe(openUntil + 57_000);
    expect(new Set(due).size).toBe(20);
    // At most 2 of the 20 go in any 6 seconds (one window split in 20 steps of 3 s).
    for (const t of due) expect(due.filter((u) => u >= t && u < t + 6_000).length).toBeLessThanOrEqual(2);

    // Run the queue by due time: the first one through fails and reopens the breaker for 2 minutes.
    deps.random = () => 0.5;
    answers = [{ kind: 'answered', status: 503 }];
    const queued = world.sent.splice(0).sort((a, b) => a.delaySeconds - b.delaySeconds);
    for (const next of queued) {
      now = START + next.delaySeconds * 1000;
      await deliverWebhook(deps, next.message);
    }
    expect(posts).toHaveLength(1);
    const reopened = Date.parse((await world.store.getSubscription('wh_1'))?.circuitOpenUntil as string);
    expect(reopened).toBe(openUntil + 120_000);
    // The other 19 wait again, past the new window; the probe's own retry will find the breaker open.
    const probe = queued[0]?.message.deliveryId;
    const rest = world.sent.filter((s) => s.message.deliveryId !== probe);
    expect(rest).toHaveLength(19);
    for (const s of rest) expect(Date.parse(s.message.dueAt as string)).toBeGreaterThanOrEqual(reopened);
  });

  it('cancels a delivery whose event its subscription no longer takes', async () => {
    await world.store.putSubscription(subscription({ events: ['customer.erased'] }));
    await deliverWebhook(deps, message);
    expect(posts).toEqual([]);
    expect(await world.store.getDelivery('wh_1', delivery.id)).toMatchObject({
      status: 'cancelled',
      lastError: 'event unsubscribed',
    });
  });

  it('reads a subscription the eventually consistent read missed again, strongly, before giving up on it', async () => {
    const reads: Array<string | undefined> = [];
    const get = world.store.getSubscription;
    deps.store = {
      ...world.store,
      getSubscription: async (id, read) => {
        reads.push(read);
        return read === 'eventual' ? undefined : get(id);
      },
    };
    await deliverWebhook(deps, message);
    expect(reads).toEqual(['eventual', undefined]);
    expect(posts).toHaveLength(1);
  });

  it('counts the retry delay from when the attempt failed, not when it started (a timeout takes 10 s)', async () => {
    deps.post = async (request) => {
      posts.push({ headers: request.headers, body: request.body });
      now += 10_000;
      return { kind: 'failed', reason: 'no answer within 10000 ms' };
    };
    await deliverWebhook(deps, message);
    const at = await world.store.getDelivery('wh_1', delivery.id);
    expect(at?.lastAttemptAt).toBe(new Date(START).toISOString());
    expect(at?.nextAttemptAt).toBe(new Date(START + 15_000).toISOString());
    expect(world.sent.at(-1)?.delaySeconds).toBe(5);
  });

  it('holds every delivery of the endpoint back until the Retry-After of a 429 or 503, not only the one that got it', async () => {
    answers = [{ kind: 'answered', status: 429, retryAfterMs: 120_000 }];
    await deliverWebhook(deps, message);
    expect((await world.store.getSubscription('wh_1'))?.circuitOpenUntil).toBe(
      new Date(START + 120_000).toISOString(),
    );
    const other = newDelivery({ id: 'wh_1' }, { ...event, id: 'evt_2' });
    await world.store.createDelivery(other);
    now += 1_000;
    await deliverWebhook(deps, { deliveryId: other.id, subscriptionId: 'wh_1' });
    expect(posts).toHaveLength(1);
    expect(Date.parse(world.sent.at(-1)?.message.dueAt as string)).toBeGreaterThanOrEqual(START + 120_000);
    expect((await world.store.getDelivery('wh_1', other.id))?.attempts).toBe(0);
  });

  it('holds a delivery behind an open breaker no later than its 24 hours, then gives it up (warned)', async () => {
    const logged: string[] = [];
    deps.log = (level, text) => void logged.push(`${level} ${text}`);
    const first = START - 24 * 3_600_000 + 60_000;
    await world.store.updateDelivery({
      ...delivery,
      attempts: 7,
      firstAttemptAt: new Date(first).toISOString(),
    });
    await world.store.putSubscription(
      subscription({ consecutiveFailures: 9, circuitOpenUntil: new Date(START + 3_600_000).toISOString() }),
    );
    await deliverWebhook(deps, message);
    expect(world.sent.at(-1)?.message.dueAt).toBe(new Date(first + 24 * 3_600_000).toISOString());
    now += 60_000;
    await deliverWebhook(deps, { ...message, dueAt: world.sent.at(-1)?.message.dueAt });
    expect(posts).toEqual([]);
    expect(await world.store.getDelivery('wh_1', delivery.id)).toMatchObject({
      status: 'failed',
      attempts: 7,
      lastError: 'the retry window ended while the breaker was open',
    });
    expect(logged).toContain('warn webhook delivery failed for good');
  });
});
