import { createRequire } from 'node:module';
import type * as MailContent from '#shared/channels/ses/mail-content.js';

/**
 * What the agent media function's bundle imports in place of `#shared/channels/ses/mail-content.js`
 * (see on-demand.ts): the same `parseMime`, the MIME reader (mailparser, its charset tables, the
 * HTML-to-text of bodies; some 1.4 MB) read from a file beside the bundle on the first emailed file an
 * agent opens, not at the cold start of every file route.
 */
const load = createRequire(import.meta.url);
let reader: typeof MailContent | undefined;

/** `parseMime` of mail-content.ts, loaded from `./mail-mime.cjs` when first called. */
export function parseMime(mime: Uint8Array): ReturnType<typeof MailContent.parseMime> {
  reader ??= load('./mail-mime.cjs') as typeof MailContent;
  return reader.parseMime(mime);
}
