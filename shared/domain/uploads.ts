import type { Channel } from './envelope.js';
import { FILE_NAME_UNSAFE } from './file-name.js';

/** A file's kind as a reply's attachment names it. */
export type UploadKind = 'image' | 'audio' | 'video' | 'document';

/**
 * The types an agent may attach, with their kind. None a browser runs: no HTML, SVG, XML or script, so a
 * file served from Threadline's own origin (locally) or the bucket cannot act as a page.
 */
export const UPLOAD_TYPES: Readonly<Record<string, UploadKind>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'audio/mpeg': 'audio',
  'audio/ogg': 'audio',
  'audio/aac': 'audio',
  'audio/mp4': 'audio',
  'audio/amr': 'audio',
  'video/mp4': 'video',
  'video/3gpp': 'video',
  'application/pdf': 'document',
  'text/plain': 'document',
  'text/csv': 'document',
  'application/msword': 'document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'document',
  'application/vnd.ms-excel': 'document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'document',
  'application/vnd.ms-powerpoint': 'document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'document',
};

/** A megabyte as the providers count them (Twilio's 5 MB, Meta's 25 MB). */
const MB = 1_000_000;

/** The largest file Threadline keeps for a reply, on any channel: Meta's 25 MB. */
export const UPLOAD_MAX_BYTES = 25 * MB;

/** How long an uploaded file stays (the bucket's lifecycle rule on AWS): a redrive or a late read of an email's link. */
export const UPLOAD_RETENTION_DAYS = 30;

/** How long the console has to put the file's bytes once the upload is made. */
export const UPLOAD_PUT_SECONDS = 15 * 60;

/** The channels a reply goes on, as the upload names the one its reply will use. */
export const UPLOAD_CHANNELS = ['sms', 'whatsapp', 'messenger', 'instagram', 'email', 'webchat'] as const;
export type UploadChannel = (typeof UPLOAD_CHANNELS)[number] & Channel;

/** WhatsApp's own per-type limits (Cloud API media): images 5 MB, audio and video 16 MB. */
const WHATSAPP_BYTES: Readonly<Record<UploadKind, number>> = {
  image: 5 * MB,
  audio: 16 * MB,
  video: 16 * MB,
  document: UPLOAD_MAX_BYTES,
};

/** The image types WhatsApp sends as an image (a WebP is a sticker there, a GIF not taken). */
const WHATSAPP_IMAGES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png']);

/**
 * The most bytes a file of `type` may have on `channel`: Twilio takes 5 MB of files in a message (SMS),
 * WhatsApp its per-type limits, Messenger and Instagram 25 MB; email and web chat carry a link (the file
 * is not in the mail: SES's 10 MB does not bind), so Threadline's own 25 MB.
 */
export function uploadLimit(channel: UploadChannel, kind: UploadKind): number {
  if (channel === 'sms') return 5 * MB;
  if (channel === 'whatsapp') return WHATSAPP_BYTES[kind];
  return UPLOAD_MAX_BYTES;
}

/** Sizes as an agent reads them: "812 KB", "6.2 MB". */
export function sizeText(bytes: number): string {
  if (bytes < MB) return `${Math.max(1, Math.round(bytes / 1000))} KB`;
  return `${(bytes / MB).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** Why a file may not go on the channel, with its status and code, or undefined when it may. */
export function uploadProblem(
  channel: UploadChannel,
  file: { name: string; type: string; size: number },
): { status: 413 | 415; message: string } | undefined {
  const kind = UPLOAD_TYPES[file.type];
  if (!kind) {
    return {
      status: 415,
      message: `${file.type || 'a file of no type'} cannot be attached: send an image (JPEG, PNG, GIF, WebP), audio, video (MP4), a PDF, text, CSV or Office document`,
    };
  }
  if (channel === 'whatsapp' && kind === 'image' && !WHATSAPP_IMAGES.has(file.type)) {
    return { status: 415, message: `WhatsApp sends JPEG or PNG images, not ${file.type}` };
  }
  const limit = uploadLimit(channel, kind);
  if (file.size > limit) {
    return {
      status: 413,
      message: `${file.name} is ${sizeText(file.size)}; a ${kind} on ${channel} may be at most ${sizeText(limit)}`,
    };
  }
  return undefined;
}

/** Characters that show nothing or turn text around: controls, bidirectional overrides, format characters. */
const UNSEEN_IN_NAMES = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** The most characters a file's name keeps (code points, its extension among them). */
const FILE_NAME_CHARS = 100;

/**
 * A file's name made safe for a URL's last segment (percent-encoded there, see `fileUrl`), a WhatsApp
 * document's `filename` and an email's list of links: Unicode letters, marks and digits kept in NFC
 * (`فاتورة.pdf`, `Hélène.pdf`, `٤٥١٢.pdf`), every run of spaces one space, controls, bidirectional
 * overrides and other unseen characters taken out, anything else outside `FILE_NAME_UNSAFE` (a path
 * separator, a quote) `_`, as a `Content-Disposition` keeps them (`dispositionOf`); no dot, space or
 * `_` leading, at most 100 characters with the extension always kept, `file.<ext>` when nothing else
 * is left. Before 2026-12-07 only ASCII letters and digits were kept (`فاتورة.pdf` was `pdf`).
 */
export function safeFileName(name: string): string {
  const safe = name
    .normalize('NFC')
    .replace(UNSEEN_IN_NAMES, '')
    .replace(/\s+/gu, ' ')
    .replace(FILE_NAME_UNSAFE, '_');
  const dot = safe.lastIndexOf('.');
  const ext = dot >= 0 && /^[\p{L}\p{N}]{1,16}$/u.test(safe.slice(dot + 1)) ? safe.slice(dot + 1) : '';
  const room = FILE_NAME_CHARS - (ext ? ext.length + 1 : 0);
  const trim = (stem: string) => stem.replace(/^[._ ]+/, '').replace(/[. ]+$/, '');
  const stem = trim([...trim(ext ? safe.slice(0, dot) : safe)].slice(0, room).join(''));
  return `${stem || 'file'}${ext ? `.${ext}` : ''}`;
}

/** Where a file is found: its customer (an erasure deletes theirs), its random id, its safe name. */
export interface UploadKey {
  customerId: string;
  fileId: string;
}

/**
 * A file being uploaded: where, its type and exact size, and the agent who asked for it (only they may
 * attach it to a reply, and not once an admin removed them: `checkReplyUploads`).
 */
export interface UploadFile extends UploadKey {
  name: string;
  type: string;
  size: number;
  agentId: string;
}

/** Who made a file's upload: `agentId` absent for an upload made before it was recorded (2026-12-07). */
export interface UploadOwner {
  agentId?: string | undefined;
}

/** A file's link as `fileUrl` makes it: `/files/<customer id>/f_<22 characters>/<name>`, on any host. */
const FILE_LINK_PATH = /^\/files\/([A-Za-z0-9_-]{1,128})\/(f_[A-Za-z0-9_-]{22})\/[^/]+$/;

/** The uploaded file a reply's attachment links to, or undefined for a link to anything else. */
export function uploadKeyOfLink(url: string): UploadKey | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = FILE_LINK_PATH.exec(path);
  return match ? { customerId: match[1] as string, fileId: match[2] as string } : undefined;
}

/** How the console puts the file's bytes: a presigned S3 PUT on AWS, the local runtime's own PUT. */
export interface UploadTarget {
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
}

/** How `GET /files/...` answers a file: a redirect to a short-lived link (S3), or the bytes (local). */
export type OpenedUpload = { redirect: string } | { body: Uint8Array; type: string };

/** Where agents' reply files are kept: the uploads bucket on AWS, files under DATA_DIR locally. */
export interface UploadStore {
  /** Where the bytes of `file` go, with the headers that must be sent with them, until `expiresAt`. */
  prepare(file: UploadFile, expiresAt: string): Promise<UploadTarget>;
  /** The file for a provider or a customer, or undefined when there is none (never put, expired, erased). */
  open(key: UploadKey, now: string): Promise<OpenedUpload | undefined>;
  /**
   * Who made the file's upload, or undefined when nothing is there (on AWS: no object yet, expired or
   * erased; locally the upload is known from its creation).
   */
  ownerOf(key: UploadKey): Promise<UploadOwner | undefined>;
  /**
   * Local runtime only: takes the bytes of a prepared upload, checking the PUT's token, type and size
   * as S3 checks a presigned PUT's signature; answers why not, or undefined when kept.
   */
  receive?(
    key: UploadKey,
    put: { token: string; type: string; body: Uint8Array },
    now: string,
  ): Promise<string | undefined>;
  /** Deletes every file of the customer (their erasure); answers how many. */
  removeAllOf(customerId: string): Promise<number>;
}

/** A store an erasure empties of a customer's files. */
type CustomerFiles = { removeAllOf(customerId: string): Promise<number> };

/**
 * What the erasure's first step deletes outside the table, as one: the customer's exports written aside,
 * then the files agents attached to replies to them. Both are safe to repeat (a retried erasure, or its
 * sweep); the step keeps its place, so an erasure under way when this changed carries on.
 */
export function customerFiles(
  ...stores: ReadonlyArray<CustomerFiles | undefined>
): CustomerFiles | undefined {
  const present = stores.filter((store) => store !== undefined);
  if (present.length === 0) return undefined;
  return {
    async removeAllOf(customerId) {
      let removed = 0;
      for (const store of present) removed += await store.removeAllOf(customerId);
      return removed;
    },
  };
}
