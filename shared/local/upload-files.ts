import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  UPLOAD_RETENTION_DAYS,
  type UploadFile,
  type UploadKey,
  type UploadOwner,
  type UploadStore,
  type UploadTarget,
} from '#shared/domain/uploads.js';
import { PRIVATE_DIR, PRIVATE_FILE } from './private-files.js';

/**
 * What is kept beside a file's bytes: what the upload promised (its agent among it; none in a file kept
 * before 2026-12-07), the PUT's token, until when it lives.
 */
interface Kept extends Omit<UploadFile, 'agentId'> {
  agentId?: string;
  token: string;
  putBefore: string;
  expiresAt?: string;
  body?: Uint8Array;
}

const DAY_MS = 86_400_000;

/** Ids as the API makes them: nothing that could climb out of the folder. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The local runtime's stand-in for the uploads bucket: files under `<dataDir>/uploads/<customer id>/`
 * (in memory without a data dir), put through the runtime's own `PUT /files/...` with a one-time token
 * (as S3 checks a presigned PUT), served at `/files/...` until UPLOAD_RETENTION_DAYS after they were put,
 * and deleted with their customer's erasure.
 */
export class LocalUploadStore implements UploadStore {
  readonly #dir: string | undefined;
  readonly #memory = new Map<string, Kept>();

  constructor(options: { dir?: string | undefined } = {}) {
    this.#dir = options.dir;
  }

  async prepare(file: UploadFile, putBefore: string): Promise<UploadTarget> {
    const token = randomBytes(16).toString('base64url');
    await this.#write({ ...file, token, putBefore });
    const path = `/files/${file.customerId}/${file.fileId}/${encodeURIComponent(file.name)}`;
    return { method: 'PUT', url: `${path}?token=${token}`, headers: { 'Content-Type': file.type } };
  }

  async receive(
    key: UploadKey,
    put: { token: string; type: string; body: Uint8Array },
    now: string,
  ): Promise<string | undefined> {
    const kept = await this.#read(key);
    if (!kept || kept.body || kept.putBefore <= now) return 'no upload waits for these bytes';
    const given = Buffer.from(put.token);
    if (given.length !== kept.token.length || !timingSafeEqual(given, Buffer.from(kept.token))) {
      return 'the token does not match';
    }
    if (put.type !== kept.type) return `the upload was made for ${kept.type}, not ${put.type}`;
    if (put.body.byteLength !== kept.size)
      return `the upload was made for ${kept.size} bytes, not ${put.body.byteLength}`;
    const expiresAt = new Date(Date.parse(now) + UPLOAD_RETENTION_DAYS * DAY_MS).toISOString();
    await this.#write({ ...kept, expiresAt, body: put.body });
    return undefined;
  }

  async open(key: UploadKey, now: string): Promise<{ body: Uint8Array; type: string } | undefined> {
    const kept = await this.#read(key);
    if (!kept?.body || !kept.expiresAt) return undefined;
    if (kept.expiresAt <= now) {
      await this.#forget(key);
      return undefined;
    }
    return { body: kept.body, type: kept.type };
  }

  async ownerOf(key: UploadKey): Promise<UploadOwner | undefined> {
    const kept = await this.#read(key);
    return kept ? { agentId: kept.agentId } : undefined;
  }

  async removeAllOf(customerId: string): Promise<number> {
    if (!SAFE_ID.test(customerId)) return 0;
    if (!this.#dir) {
      const theirs = [...this.#memory.keys()].filter((k) => k.startsWith(`${customerId}/`));
      for (const k of theirs) this.#memory.delete(k);
      return theirs.length;
    }
    const folder = join(this.#dir, customerId);
    const names = await readdir(folder).catch(() => [] as string[]);
    await rm(folder, { recursive: true, force: true });
    return names.filter((n) => n.endsWith('.json')).length;
  }

  async #read(key: UploadKey): Promise<Kept | undefined> {
    if (!SAFE_ID.test(key.customerId) || !SAFE_ID.test(key.fileId)) return undefined;
    if (!this.#dir) return this.#memory.get(`${key.customerId}/${key.fileId}`);
    const base = join(this.#dir, key.customerId, key.fileId);
    try {
      const kept = JSON.parse(await readFile(`${base}.json`, 'utf8')) as Kept;
      if (!kept.expiresAt) return kept;
      return { ...kept, body: new Uint8Array(await readFile(`${base}.bin`)) };
    } catch {
      return undefined;
    }
  }

  async #write(kept: Kept): Promise<void> {
    if (!this.#dir) {
      this.#memory.set(`${kept.customerId}/${kept.fileId}`, kept);
      return;
    }
    const folder = join(this.#dir, kept.customerId);
    await mkdir(folder, { recursive: true, mode: PRIVATE_DIR });
    const { body, ...rest } = kept;
    if (body) await writeFile(join(folder, `${kept.fileId}.bin`), body, { mode: PRIVATE_FILE });
    await writeFile(join(folder, `${kept.fileId}.json`), JSON.stringify(rest), { mode: PRIVATE_FILE });
  }

  async #forget(key: UploadKey): Promise<void> {
    this.#memory.delete(`${key.customerId}/${key.fileId}`);
    if (!this.#dir) return;
    await rm(join(this.#dir, key.customerId, `${key.fileId}.bin`), { force: true });
    await rm(join(this.#dir, key.customerId, `${key.fileId}.json`), { force: true });
  }
}
