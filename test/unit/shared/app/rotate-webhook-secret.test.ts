import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rotateWebhookSecret } from '#shared/app/rotate-webhook-secret.js';
import { activeSecrets, MAX_SIGNING_SECRETS, type Subscription } from '#shared/domain/webhooks.js';
import { UnprocessableError } from '#shared/errors.js';
import { standardWebhooksSigner } from '#shared/http/webhook-post.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { memoryWebhooks } from '../../fakes/webhook-store.js';

const HOUR = 3_600_000;
const secret = (n: number) => `whsec_${Buffer.alloc(32, n).toString('base64')}`;
const START = Date.parse('2026-12-04T09:00:00.000Z');

/** A subscription signing with secret(0), rotated by an admin on a clock the test moves. */
async function world() {
  const hooks = memoryWebhooks();
  let now = START;
  let made = 0;
  const subscription: Subscription = {
    id: 'wh_1',
    url: 'https://hooks.example.com/t',
    events: ['message.received'],
    createdAt: new Date(START).toISOString(),
    createdBy: 'zoe',
    secrets: [{ secret: secret(0) }],
    consecutiveFailures: 0,
  };
  await hooks.store.putSubscription(subscription);
  const deps = {
    webhooks: hooks.store,
    audit: memoryAuditLog(),
    clock: { now: () => new Date(now) },
    newSecret: () => secret(++made),
  };
  const rotate = (key?: string) => rotateWebhookSecret(deps, 'wh_1', 'zoe', key);
  const later = (ms: number) => {
    now += ms;
  };
  /** Which secrets verify a delivery signed now, as a Standard Webhooks receiver checks it. */
  const verifying = async (candidates: string[]) => {
    const stored = (await hooks.store.getSubscription('wh_1')) as Subscription;
    const at = new Date(now);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(now / 1000)),
      'webhook-signature': standardWebhooksSigner(activeSecrets(stored, at), 'msg_1', at, '{}'),
    };
    // The receiver's clock is the test's: it refuses a timestamp 5 minutes from its own.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    return candidates.filter((s) => {
      try {
        new Webhook(s).verify('{}', headers);
        return true;
      } catch {
        return false;
      }
    });
  };
  return { rotate, later, verifying, hooks };
}

describe('rotateWebhookSecret', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the original secret signing for 24 hours after a second rotation (a retried one)', async () => {
    const { rotate, later, verifying } = await world();
    await rotate();
    later(1000);
    await rotate();
    // Receivers holding any of the three verify: the original, the lost answer's and the new one.
    expect(await verifying([secret(0), secret(1), secret(2)])).toEqual([secret(0), secret(1), secret(2)]);
    later(24 * HOUR - 1000);
    // 24 hours after the first rotation the original stops; the first rotated one lasts 24 h from the second.
    expect(await verifying([secret(0), secret(1), secret(2)])).toEqual([secret(1), secret(2)]);
    later(1000);
    expect(await verifying([secret(0), secret(1), secret(2)])).toEqual([secret(2)]);
  });

  it(`signs with at most ${MAX_SIGNING_SECRETS} secrets: the newest, and the latest ones still in grace`, async () => {
    const { rotate, later, verifying } = await world();
    const all = [0, 1, 2, 3, 4].map(secret);
    for (let i = 0; i < 4; i++) {
      await rotate();
      later(HOUR);
    }
    expect(MAX_SIGNING_SECRETS).toBe(3);
    expect(await verifying(all)).toEqual([secret(2), secret(3), secret(4)]);
  });

  it('keeps no secret whose grace has ended', async () => {
    const { rotate, later, verifying } = await world();
    await rotate();
    later(25 * HOUR);
    const rotated = await rotate();
    expect(rotated.subscription.secrets.map((s) => s.secret)).toEqual([secret(2), secret(1)]);
    expect(await verifying([secret(0), secret(1), secret(2)])).toEqual([secret(1), secret(2)]);
  });

  it('rotates once for retries of one Idempotency-Key, at once or after a crash between its two writes', async () => {
    const { rotate, verifying, hooks } = await world();
    const answers = await Promise.all([rotate('k1'), rotate('k1'), rotate('k1')]);
    expect(answers.map((a) => a.secret)).toEqual([secret(1), secret(1), secret(1)]);
    expect(await verifying([secret(0), secret(1)])).toEqual([secret(0), secret(1)]);

    // The key noted, then a crash before the secrets were written: the retry rotates, once.
    const setSecrets = hooks.store.setSecrets;
    hooks.store.setSecrets = async () => {
      throw new Error('crashed');
    };
    await expect(rotate('k2')).rejects.toThrow('crashed');
    hooks.store.setSecrets = setSecrets;
    const completed = (await rotate('k2')).secret;
    expect((await rotate('k2')).secret).toBe(completed);
    expect(await verifying([secret(0), secret(1), completed])).toEqual([secret(0), secret(1), completed]);
  });

  it('answers the same secret once replaced, and 422 once a later rotation dropped it', async () => {
    const { rotate, later } = await world();
    await rotate('k1');
    later(1000);
    await rotate();
    expect((await rotate('k1')).secret).toBe(secret(1));
    later(1000);
    await rotate();
    later(1000);
    await rotate();
    const dropped = rotate('k1');
    await expect(dropped).rejects.toBeInstanceOf(UnprocessableError);
    await expect(dropped).rejects.toThrow(/replaced since/);
  });
});
