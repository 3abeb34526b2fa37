// By its package specifier, not a relative path: the agent media function's bundling replaces it by
// a shim that loads the MIME reader (mailparser, its charset tables) from a file beside the bundle
// on the first emailed file opened (stacks/bundling/on-demand.ts, MAIL_MIME_ON_DEMAND).
import { parseMime } from '#shared/channels/ses/mail-content.js';
import type { MailFiles } from '#shared/domain/media.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import {
  BadGatewayError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  UnavailableError,
} from '#shared/errors.js';
import { MAX_ATTACHMENTS, MAX_INLINE_MIME_BYTES } from './bounds.js';
import type { FetchObject } from './mail-envelopes.js';

/** Where an email item's raw MIME is read from: S3 (a receipt rule's S3 action), or its raw payload (SNS action). */
export interface MailFileSources {
  /** S3 GetObject (getObjectBytes on AWS); absent (the local runtime), mail kept only in S3 answers 503. */
  fetchObject?: FetchObject | undefined;
  /** The raw payload kept with the item, found as the item is: the SNS action's MIME is there when small. */
  rawPayload(customerId: string, itemId: string, at: string | undefined): Promise<string | undefined>;
}

/** What an S3 object that is not there answers (the bucket's lifecycle expired it, or it never was). */
const GONE_CODES = new Set(['NoSuchKey', 'NotFound']);

/**
 * An email's files, read from its raw MIME each time one is opened: the MIME from S3 (the item's
 * `data.s3`, one GetObject) or from the raw payload the SNS action kept inline, parsed with the same
 * mailparser reading as on arrival (`parseMime`), so that `attachments[i]` is the same part; a part
 * whose name or size no longer matches the item's is not served. The inbound mail bucket expires the
 * MIME after its retention (`inboundMailRetentionDays`, 30 days by default): then GoneError (410).
 */
export function mailFiles(sources: MailFileSources): MailFiles {
  return {
    async attachment(request, index, maxBytes) {
      const { item } = request;
      const listed = item.attachments?.[index];
      if (!listed || index >= MAX_ATTACHMENTS)
        throw new NotFoundError(`this mail has no attachment ${index}`);
      if ((listed.sizeBytes ?? 0) > maxBytes) throw tooLarge(maxBytes);
      const parsed = await parseMime(await mimeOf(sources, request));
      const part = parsed?.attachments[index];
      // The item's name is the part's cut to MAIL_BOUNDS: the part must begin with it and be as large.
      const same =
        part !== undefined &&
        part.size === listed.sizeBytes &&
        (part.filename ?? '').startsWith(listed.filename ?? '');
      if (!part || !same)
        throw new BadGatewayError('the mail kept no longer reads as it did on arrival', 'media_unavailable');
      if (part.content.byteLength > maxBytes) throw tooLarge(maxBytes);
      return { body: new Uint8Array(part.content), contentType: part.contentType ?? '' };
    },
  };
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `the mail's file is larger than the ${maxBytes} bytes the agent API answers`,
    'media_too_large',
  );
}

async function mimeOf(
  sources: MailFileSources,
  request: { customerId: string; itemId: string; at?: string | undefined; item: TimelineItem },
): Promise<Uint8Array> {
  const s3 = s3Of(request.item);
  if (s3) {
    if (!sources.fetchObject) throw new UnavailableError('this runtime reads no mail from S3');
    try {
      return await sources.fetchObject(s3.bucket, s3.key);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && GONE_CODES.has(code))
        throw new GoneError(
          "this mail's files are no longer kept: the mail's files are kept inboundMailRetentionDays days (30 by default) after it arrived",
        );
      throw new UnavailableError('could not read the mail from S3', { cause: error });
    }
  }
  const mime = inlineOf(await sources.rawPayload(request.customerId, request.itemId, request.at));
  if (!mime)
    throw new GoneError(
      `this mail's files were not kept: SES delivered it over SNS, which keeps a mail's MIME only up to ${MAX_INLINE_MIME_BYTES} bytes`,
    );
  return mime;
}

/** The MIME an SNS action's notification carried (`content`, Base64 or UTF-8 as its action says), if kept. */
function inlineOf(raw: string | undefined): Uint8Array | undefined {
  const notification = parseJson(raw) as
    | { content?: unknown; receipt?: { action?: { encoding?: unknown } } }
    | undefined;
  const content = notification?.content;
  if (typeof content !== 'string') return undefined;
  const encoding = notification?.receipt?.action?.encoding;
  return typeof encoding === 'string' && /^base64$/i.test(encoding)
    ? Buffer.from(content, 'base64')
    : Buffer.from(content, 'utf8');
}

function s3Of(item: TimelineItem): { bucket: string; key: string } | undefined {
  const s3 = item.data?.s3 as { bucket?: unknown; key?: unknown } | undefined;
  return typeof s3?.bucket === 'string' && typeof s3.key === 'string' && s3.bucket && s3.key
    ? { bucket: s3.bucket, key: s3.key }
    : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
