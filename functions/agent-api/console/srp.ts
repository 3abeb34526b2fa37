/**
 * The SRP-6a arithmetic of Cognito's USER_SRP_AUTH (as AWS's own clients do it), with BigInt and
 * WebCrypto only, so the password never leaves the browser. Loaded with the Cognito sign-in, lazily.
 */

/** The 3072-bit group Cognito uses (RFC 3526 group 15), generator 2. */
export const N = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
/** The generator. */
export const g = 2n;

/** `base^exp mod m` by square-and-multiply. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = ((base % m) + m) % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** A positive number as Cognito hashes it: even-length hex, with `00` in front when the top bit is set. */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

/** Bytes of a hex string. */
export function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const toHex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (text: string) => new TextEncoder().encode(text);

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SHA-256 of bytes, as 64 hex digits. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes)).padStart(64, '0');
}

async function hmac(
  key: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data));
}

/** k = H(N | g), the SRP-6a multiplier. */
export async function multiplier(): Promise<bigint> {
  return BigInt(`0x${await sha256Hex(hexBytes(padHex(N) + padHex(g)))}`);
}

/** A random secret `a` (256 bits) and the public `A = g^a mod N`. */
export function clientEphemeral(random: Uint8Array = crypto.getRandomValues(new Uint8Array(32))) {
  const a = BigInt(`0x${[...random].map((b) => b.toString(16).padStart(2, '0')).join('')}`) % N;
  return { a, A: modPow(g, a, N) };
}

/** What the password verifier step needs: the client's secret and the challenge Cognito answered. */
export interface VerifierInput {
  a: bigint;
  A: bigint;
  B: bigint;
  salt: string;
  /** The pool's name: the part of its id after `_`. */
  poolName: string;
  /** USER_ID_FOR_SRP of the challenge. */
  userId: string;
  password: string;
}

/** The shared secret S and the 16-byte key Cognito derives from it (HKDF, "Caldera Derived Key"). */
export async function sessionKey(
  input: VerifierInput,
): Promise<{ S: bigint; u: bigint; x: bigint; key: Uint8Array<ArrayBuffer> }> {
  const { a, A, B } = input;
  if (B % N === 0n) throw new Error('Cognito sent an invalid SRP_B');
  const u = BigInt(`0x${await sha256Hex(hexBytes(padHex(A) + padHex(B)))}`);
  if (u === 0n) throw new Error('SRP u is zero');
  const identity = await sha256Hex(utf8(`${input.poolName}${input.userId}:${input.password}`));
  const x = BigInt(`0x${await sha256Hex(hexBytes(padHex(BigInt(`0x${input.salt}`)) + identity))}`);
  const k = await multiplier();
  const base = (((B - k * modPow(g, x, N)) % N) + N) % N;
  const S = modPow(base, a + u * x, N);
  const prk = await hmac(hexBytes(padHex(u)), hexBytes(padHex(S)));
  const okm = await hmac(prk, concat(utf8('Caldera Derived Key'), new Uint8Array([1])));
  return { S, u, x, key: okm.slice(0, 16) };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP: `Tue Sep 3 09:05:07 UTC 2024` (day of month unpadded). */
export function cognitoTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${time} UTC ${date.getUTCFullYear()}`;
}

/** PASSWORD_CLAIM_SIGNATURE: base64 HMAC(key, poolName | userId | secretBlock | timestamp). */
export async function passwordClaim(input: {
  key: Uint8Array<ArrayBuffer>;
  poolName: string;
  userId: string;
  secretBlock: string;
  timestamp: string;
}): Promise<string> {
  const block = Uint8Array.from(atob(input.secretBlock), (c) => c.charCodeAt(0));
  const mac = await hmac(
    input.key,
    concat(utf8(input.poolName), utf8(input.userId), block, utf8(input.timestamp)),
  );
  return btoa(String.fromCharCode(...mac));
}
