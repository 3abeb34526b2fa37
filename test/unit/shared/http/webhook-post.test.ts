import type { LookupAddress, lookup } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookPoster } from '#shared/http/webhook-post.js';
import { startReceiver } from '../../../support/webhook-receiver.js';

/** A resolver that answers `addresses` for any name, and counts the names it was asked. */
function resolver(addresses: string[]) {
  const asked: string[] = [];
  const resolve = ((hostname: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void) => {
    asked.push(hostname);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof lookup;
  return { resolve, asked };
}

const request = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{}' });

describe('webhookPoster: what it refuses to reach', () => {
  it.each([[['10.0.0.7']], [['169.254.169.254']], [['fd00:ec2::254']], [['93.184.216.34', '127.0.0.1']]])(
    'refuses a name that resolves to %j, before connecting',
    async (addresses) => {
      const { resolve, asked } = resolver(addresses);
      const post = webhookPoster({ policy: { allowLoopbackHttp: false }, timeoutMs: 1000, resolve });
      const outcome = await post(request('https://hooks.example.com/t'));
      expect(outcome.kind).toBe('refused');
      expect(asked).toEqual(['hooks.example.com']);
    },
  );

  it('refuses a literal private address without resolving anything', async () => {
    const { resolve, asked } = resolver(['93.184.216.34']);
    const post = webhookPoster({ policy: { allowLoopbackHttp: false }, timeoutMs: 1000, resolve });
    expect(await post(request('https://192.168.0.10/t'))).toMatchObject({ kind: 'refused' });
    expect(await post(request('http://127.0.0.1:9/t'))).toMatchObject({ kind: 'refused' });
    expect(asked).toEqual([]);
  });
});

describe('webhookPoster: a loopback endpoint (allowed locally)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const post = webhookPoster({ policy: { allowLoopbackHttp: true }, timeoutMs: 200 });

  beforeAll(async () => {
    receiver = await startReceiver(({ headers }) => {
      const plan = String(headers['x-plan'] ?? '200');
      return plan === 'hang' ? 'hang' : Number(plan);
    });
  });
  afterAll(() => receiver.close());

  const send = (plan: string) => post({ url: receiver.url, headers: { 'x-plan': plan }, body: '{"a":1}' });

  it('answers the status, and never follows a redirect', async () => {
    expect(await send('204')).toMatchObject({ kind: 'answered', status: 204 });
    expect(await send('302')).toMatchObject({ kind: 'answered', status: 302 });
    expect(receiver.received.filter((r) => r.answer === 302)).toHaveLength(1);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    expect(await send('hang')).toEqual({ kind: 'failed', reason: 'no answer within 200 ms' });
  });
});
