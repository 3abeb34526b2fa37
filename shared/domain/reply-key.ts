/**
 * The reply's own key, given to a provider on the send for it to hand back on every status callback
 * (WhatsApp `biz_opaque_callback_data`, a query parameter of Twilio's status-callback URL, an SES
 * message tag), so a status is one write to the reply's timeline item with no message reference.
 *
 * It comes back from outside, so it is parsed, never trusted: `r1` then base64url of
 * `<customerId>\n<at>\n<replyId>`, at most REPLY_KEY_MAX characters of `[A-Za-z0-9_-]` (what an SES tag
 * value allows; WhatsApp takes 512 and Twilio any URL). It names a reply's timeline item and nothing
 * else (the store builds `reply:<replyId>` itself), and the store writes a status there only on an
 * outbound item already carrying the status's provider id, or one in the middle of its send.
 */

/** What a reply key names: the reply's timeline item (its customer partition, its time, the reply's id). */
export interface ReplyTarget {
  customerId: string;
  at: string;
  replyId: string;
}

/** The query parameter of a status-callback URL of ours (Twilio's) that carries the reply's key. */
export const REPLY_KEY_PARAM = 'reply';

/** The SES message tag that carries the reply's key (tag names take `[A-Za-z0-9_-]`). */
export const REPLY_KEY_TAG = 'threadline-reply';

/** Longest reply key: an SES message tag value holds 256 characters of `[A-Za-z0-9_-]`. */
export const REPLY_KEY_MAX = 256;
const PREFIX = 'r1';
const SHAPE = /^r1[A-Za-z0-9_-]{4,254}$/;
/** An ISO 8601 UTC time as the store writes it, with optional fractions of a second. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
/** Ids: printable, no separator of the key, of the sort key (`#`) or of a URL; bounded. */
const ID = /^[\x21-\x22\x24-\x7e]{1,128}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function validTarget(target: ReplyTarget): boolean {
  return (
    ID.test(target.customerId) &&
    ID.test(target.replyId) &&
    ISO_UTC.test(target.at) &&
    !Number.isNaN(Date.parse(target.at))
  );
}

/** The key a reply's send carries; undefined when its ids cannot make a valid key (the send then links a reference). */
export function encodeReplyKey(target: ReplyTarget): string | undefined {
  if (!validTarget(target)) return undefined;
  const payload = Buffer.from(`${target.customerId}\n${target.at}\n${target.replyId}`, 'utf8');
  const key = `${PREFIX}${payload.toString('base64url')}`;
  return key.length <= REPLY_KEY_MAX ? key : undefined;
}

/** The reply a key names, or undefined for anything that is not a key of ours (another app's data, a forgery). */
export function decodeReplyKey(value: unknown): ReplyTarget | undefined {
  if (typeof value !== 'string' || value.length > REPLY_KEY_MAX || !SHAPE.test(value)) return undefined;
  const encoded = value.slice(PREFIX.length);
  const bytes = Buffer.from(encoded, 'base64url');
  // Node decodes loosely (stray bits, a trailing character); only the canonical spelling is ours.
  if (bytes.toString('base64url') !== encoded) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  const parts = text.split('\n');
  if (parts.length !== 3) return undefined;
  const [customerId = '', at = '', replyId = ''] = parts;
  const target = { customerId, at, replyId };
  return validTarget(target) ? target : undefined;
}

/**
 * The key of a reply about to be sent (its timeline item is `reply:<id>` at its place: `placedAt` for the
 * AI's reply, else `at`), or undefined.
 */
export function replyKeyOf(message: {
  id: string;
  customerId: string;
  at: string;
  placedAt?: string | undefined;
}): string | undefined {
  return encodeReplyKey({
    customerId: message.customerId,
    at: message.placedAt ?? message.at,
    replyId: message.id,
  });
}
