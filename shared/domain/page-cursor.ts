import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';

/**
 * What a page cursor is made for: the list and everything that chose its items (the customer, the
 * visitor, the order, the filter). A cursor opens only with the scope it was sealed with.
 */
export type CursorScope = readonly [list: string, ...rest: Array<string | number | boolean | undefined>];

/**
 * The cursors the API hands out: the store's own place, sealed. `seal` encrypts and authenticates it
 * for a scope (null, the last page, stays null); `open` gives back the store's place of a cursor sealed
 * for that scope, no cursor the first page; anything else (made by someone else, altered, of another
 * list, customer, visitor, order or filter, or before cursors were sealed) is a ValidationError.
 */
export interface PageCursors {
  seal(cursor: string | null, scope: CursorScope): string | null;
  open(cursor: string | undefined, scope: CursorScope): string | undefined;
}

/** The longest cursor taken: what the API's cursor parameter allows. */
export const MAX_SEALED_CURSOR = 4096;

const VERSION = 1;
const NONCE = 12;
const TAG = 16;
/** The place is kept as the bytes of the store's base64url (every store cursor is), else as text. */
const [AS_BASE64URL, AS_TEXT] = [0, 1];

/**
 * Page cursors sealed with keys derived from `secret` (CSAT_SIGNING_SECRET: every function that hands
 * out cursors has it; see README). AES-256-GCM with the scope as associated data, its nonce an HMAC of
 * the scope and the place, so one place of one list seals to one cursor (no nonce is reused for
 * another). Without a secret, a random key of this process: cursors hold within it only.
 */
export function pageCursors(secret: string | undefined): PageCursors {
  const root = secret === undefined ? processKey() : Buffer.from(secret, 'utf8');
  const key = (info: string) => Buffer.from(hkdfSync('sha256', root, '', `threadline ${info}`, 32));
  const [sealKey, nonceKey] = [key('page cursor'), key('page cursor nonce')];
  return {
    seal(cursor, scope) {
      if (cursor === null) return null;
      const aad = scopeBytes(scope);
      const raw = Buffer.from(cursor, 'base64url');
      const asBase64url = raw.toString('base64url') === cursor;
      const plain = Buffer.concat([
        Buffer.of(asBase64url ? AS_BASE64URL : AS_TEXT),
        asBase64url ? raw : Buffer.from(cursor),
      ]);
      const nonce = createHmac('sha256', nonceKey).update(aad).update(plain).digest().subarray(0, NONCE);
      const cipher = createCipheriv('aes-256-gcm', sealKey, nonce).setAAD(aad);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(cursor, scope) {
      if (cursor === undefined || cursor === '') return undefined;
      const plain = unseal(sealKey, cursor, scopeBytes(scope));
      if (!plain)
        throw new ValidationError('invalid cursor: not one this list answered (start again without it)');
      const body = plain.subarray(1);
      return plain[0] === AS_BASE64URL ? body.toString('base64url') : body.toString('utf8');
    },
  };
}

/** The place a sealed cursor holds, or undefined when it is not one sealed with this key for this scope. */
function unseal(key: Buffer, cursor: string, aad: Buffer): Buffer | undefined {
  if (cursor.length > MAX_SEALED_CURSOR || !/^[\w-]+$/.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length < 1 + NONCE + TAG + 1 || bytes[0] !== VERSION) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + NONCE)).setAAD(aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(1 + NONCE, bytes.length - TAG)),
      decipher.final(),
    ]);
    return plain[0] === AS_BASE64URL || plain[0] === AS_TEXT ? plain : undefined;
  } catch {
    return undefined;
  }
}

/** The scope as bytes: each part in JSON, so no two scopes read alike. */
const scopeBytes = (scope: CursorScope): Buffer => Buffer.from(JSON.stringify(scope.map((p) => p ?? null)));

let randomRoot: Buffer | undefined;
/** This process's random key, made on first use. */
function processKey(): Buffer {
  randomRoot ??= randomBytes(32);
  return randomRoot;
}
