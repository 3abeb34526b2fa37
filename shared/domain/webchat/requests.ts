import * as z from 'zod';
import { cleanName, cleanText, hasVisibleText } from '../../validation/visible-text.js';
import { CHAT_PAGE_MAX } from './chat-page.js';
import { PAGE_LANG_MAX } from './page-language.js';
import { WEBCHAT_TEXT_MAX } from './text-max.js';

export { WEBCHAT_TEXT_MAX };
/** Largest request body the web-chat routes read, in bytes. */
export const WEBCHAT_BODY_MAX_BYTES = 16 * 1024;

/** The body of `POST /webchat/sessions`: a site's identity token, or what an anonymous visitor typed. */
export const SessionRequestSchema = z.strictObject({
  identityToken: z.string().min(1).max(4096).optional(),
  /** Made clean (see cleanName): no control or bidi override character reaches a screen. */
  name: z
    .string()
    .max(256)
    .overwrite(cleanName)
    .refine(hasVisibleText, { error: 'name is empty', abort: true })
    .optional(),
  email: z.email().max(320).optional(),
  /**
   * The widget's start key: 32 random bytes (base64url) the site's tabs share. Starts with the same key
   * are one session (two tabs pressing "Start chat" at once), so it is as secret as the session token.
   */
  startKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
    .optional(),
});
export type SessionRequest = z.infer<typeof SessionRequestSchema>;

/** The body of `POST /webchat/messages`: `clientMessageId` makes a retried send one message. */
export const MessageRequestSchema = z.strictObject({
  /**
   * Made clean (see cleanText) and trimmed; text that shows nothing (white space, zero-width
   * characters, controls) is refused as empty, as other channels skip it.
   */
  text: z
    .string()
    .overwrite(cleanText)
    .trim()
    .max(WEBCHAT_TEXT_MAX)
    .refine(hasVisibleText, { error: 'text is empty', abort: true }),
  clientMessageId: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
  /**
   * The page the visitor writes from (the widget sends `location.href`): kept on the message only when
   * its origin is one of WEBCHAT_ALLOWED_ORIGINS, for the fallback email's link back to the chat.
   */
  page: z.string().max(CHAT_PAGE_MAX).optional(),
  /**
   * The page's language (`<html lang>`): the conversation's language when its first message is too short
   * to tell; a tag of no language ICU knows, or not a tag, is left out with a log line (see pageLanguageOf).
   */
  lang: z.string().max(PAGE_LANG_MAX).optional(),
});
export type MessageRequest = z.infer<typeof MessageRequestSchema>;

/** The body of `POST /webchat/read`: the replies the visitor's panel has shown. */
export const ReadRequestSchema = z.strictObject({
  messageIds: z
    .array(
      z
        .string()
        .min(1)
        .max(200)
        .regex(/^reply:[A-Za-z0-9_:.-]+$/, 'a reply id'),
    )
    .min(1)
    .max(50),
});
export type ReadRequest = z.infer<typeof ReadRequestSchema>;
