import { readFileSync } from 'node:fs';
import { type MailContent, mailContent, parseMime } from '#shared/channels/ses/mail-content.js';

/** The bytes of a raw message of `test/fixtures/email/` (see its README). */
export function emailFixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/email/${name}`, import.meta.url));
}

/** What a raw message says, parsed as ses-mail parses it (`parseMime`, then `mailContent`). */
export async function mimeContent(
  mime: Uint8Array,
  options?: Parameters<typeof parseMime>[1],
): Promise<MailContent> {
  const parsed = await parseMime(mime, options);
  if (!parsed) throw new Error('unreadable MIME');
  return mailContent(parsed, mime);
}
