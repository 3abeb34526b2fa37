import { copiedAddresses, MAX_REPLY_CC } from '../domain/email-reply.js';
import type { Identity } from '../domain/envelope.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import type { TimelineItem } from '../domain/timeline.js';
import { logger } from '../log.js';

/**
 * Whom an email reply copies (`copiedAddresses`: the To and Cc of the customer's latest mail in the
 * thread), without the suppressed ones (a permanent bounce, a complaint: left out, the reply still
 * goes), at most MAX_REPLY_CC, the rest left out. One BatchGetItem when there is anyone to copy (at
 * most 20 addresses: the 10 To and 10 Cc a mail keeps), none otherwise. What is left out is logged by
 * count, never by address. The sender leaves out SES_FROM_ADDRESS too.
 */
export async function replyCopies(
  store: Pick<ReplyStore, 'suppressedEmails'>,
  thread: readonly (TimelineItem | undefined)[],
  to: Identity,
  replyId: string,
): Promise<string[] | undefined> {
  if (to.kind !== 'email') return undefined;
  const candidates = copiedAddresses(thread, to.value);
  const suppressed =
    candidates.length > 0 && store.suppressedEmails ? await store.suppressedEmails(candidates) : [];
  const allowed = candidates.filter((address) => !suppressed.includes(address));
  const overLimit = Math.max(0, allowed.length - MAX_REPLY_CC);
  if (overLimit > 0 || suppressed.length > 0) {
    logger.info('email reply: addresses not copied', { replyId, overLimit, suppressed: suppressed.length });
  }
  const cc = allowed.slice(0, MAX_REPLY_CC);
  return cc.length > 0 ? cc : undefined;
}
