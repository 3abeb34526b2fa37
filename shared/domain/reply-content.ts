import { UnprocessableError } from '../errors.js';
import type { Channel } from './envelope.js';

/** The channels whose provider sends at most one file in a message. */
const ONE_FILE: ReadonlySet<Channel> = new Set(['whatsapp', 'messenger', 'instagram']);
/** The channels whose provider sends a file and text as separate messages (the Send API's one or the other). */
const FILE_OR_TEXT: ReadonlySet<Channel> = new Set(['messenger', 'instagram']);

/** Why the channel's provider cannot carry the reply in one message, or undefined when it can. */
export function uncarried(
  channel: Channel,
  request: { text?: string | undefined; template?: unknown; attachments: readonly unknown[] },
): string | undefined {
  const files = request.attachments.length;
  if (request.template !== undefined && channel !== 'whatsapp') {
    return `templates are WhatsApp's: a reply on ${channel} takes text${channel === 'sms' || channel === 'email' || channel === 'webchat' ? ' and attachments' : ' or one attachment'}`;
  }
  if (request.template !== undefined && (request.text !== undefined || files > 0)) {
    return 'a WhatsApp template is sent on its own: send the text or attachments as a separate reply';
  }
  if (ONE_FILE.has(channel) && files > 1) {
    return `${channel} sends one attachment per message and this reply has ${files}: send one reply per attachment`;
  }
  if (FILE_OR_TEXT.has(channel) && files > 0 && request.text !== undefined) {
    return `${channel} sends text and an attachment as separate messages: send them as two replies`;
  }
  return undefined;
}

/**
 * Refuses a reply whose content the channel's provider cannot carry in one message (422
 * `content_not_supported`), before anything is written or queued: a template outside WhatsApp, a
 * WhatsApp template with text or files, more than one file on WhatsApp, Messenger or Instagram, text and
 * a file together on Messenger or Instagram. The senders refuse the same for good (`PermanentSendError`),
 * so it would only fail after the `202`, the customer hearing nothing. `channel` is the one it goes out
 * on (a caller's is `sms`).
 */
export function checkReplyContent(
  channel: Channel,
  request: { text?: string | undefined; template?: unknown; attachments: readonly unknown[] },
): void {
  const why = uncarried(channel, request);
  if (why) throw new UnprocessableError(why, 'content_not_supported');
}
