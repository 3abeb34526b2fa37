import { createHash, createHmac, getDiffieHellman, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientEphemeral,
  cognitoTimestamp,
  g,
  modPow,
  N,
  padHex,
  passwordClaim,
  sessionKey,
} from '../../../../functions/agent-api/console/srp.js';

// Everything below is derived again with node:crypto, independently of the console's WebCrypto code.
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const big = (hex: string) => BigInt(`0x${hex}`);
const bytes = (hex: string) => Buffer.from(hex, 'hex');
const pad = (n: bigint) => {
  const hex = n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, '0');
  return Number.parseInt(hex[0] ?? '0', 16) >= 8 ? `00${hex}` : hex;
};

describe('Cognito SRP arithmetic', () => {
  it('uses the RFC 3526 3072-bit group, as node knows it', () => {
    expect(N.toString(16)).toBe(getDiffieHellman('modp15').getPrime('hex').replace(/^0+/, ''));
    expect(g).toBe(2n);
  });

  it('pads hex to whole bytes and keeps it positive', () => {
    expect(padHex(0xfn)).toBe('0f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0x7fffn)).toBe('7fff');
  });

  it('agrees with a server holding the verifier, and derives the key Cognito does', async () => {
    const poolName = 'AbCdEf123';
    const userId = 'f2c1d6a0-user';
    const password = 'correct horse battery staple ✓';
    const salt = randomBytes(16).toString('hex');
    // The server side, from the formulas: x, v = g^x, B = k v + g^b.
    const k = big(sha(bytes(pad(N) + pad(g))));
    const x = big(sha(bytes(pad(big(salt)) + sha(`${poolName}${userId}:${password}`))));
    const v = modPow(g, x, N);
    const b = big(randomBytes(32).toString('hex'));
    const B = (k * v + modPow(g, b, N)) % N;
    const { a, A } = clientEphemeral(randomBytes(32));
    const u = big(sha(bytes(pad(A) + pad(B))));
    const serverS = modPow((A * modPow(v, u, N)) % N, b, N);

    const client = await sessionKey({ a, A, B, salt, poolName, userId, password });
    expect(client.u).toBe(u);
    expect(client.x).toBe(x);
    expect(client.S).toBe(serverS);
    const prk = createHmac('sha256', bytes(pad(u)))
      .update(bytes(pad(serverS)))
      .digest();
    const okm = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])]))
      .digest()
      .subarray(0, 16);
    expect(Buffer.from(client.key).toString('hex')).toBe(okm.toString('hex'));

    const secretBlock = randomBytes(64).toString('base64');
    const timestamp = 'Thu Dec 3 09:05:07 UTC 2026';
    const signature = await passwordClaim({ key: client.key, poolName, userId, secretBlock, timestamp });
    const expected = createHmac('sha256', okm)
      .update(
        Buffer.concat([
          Buffer.from(poolName),
          Buffer.from(userId),
          Buffer.from(secretBlock, 'base64'),
          Buffer.from(timestamp),
        ]),
      )
      .digest('base64');
    expect(signature).toBe(expected);
  });

  it('refuses a B that is a multiple of N', async () => {
    const { a, A } = clientEphemeral(randomBytes(32));
    await expect(
      sessionKey({ a, A, B: N * 2n, salt: '01', poolName: 'p', userId: 'u', password: 'p' }),
    ).rejects.toThrow(/SRP_B/);
  });

  it("writes Cognito's timestamp with an unpadded day", () => {
    expect(cognitoTimestamp(new Date('2024-09-03T09:05:07Z'))).toBe('Tue Sep 3 09:05:07 UTC 2024');
    expect(cognitoTimestamp(new Date('2026-12-13T23:59:00Z'))).toBe('Sun Dec 13 23:59:00 UTC 2026');
  });
});
