/** What the normaliser needs besides the notification. */
export interface SesNormaliseContext {
  /** When our webhook received the notification (ISO 8601 UTC). */
  receivedAt: string;
  /** The SNS MessageId that carried it: the same on every redelivery, and the stem of every `rawRef`. */
  snsMessageId: string;
  /** EMAIL_FORM_SENDERS: addresses and `@domain`s whose DMARC-passed mail is its Reply-To's (see `mailCustomer`). */
  formSenders?: readonly string[] | undefined;
  /** EMAIL_FALLBACK_CHARSET: what mail text that is not UTF-8 and names no charset is read in (see charsets.ts). */
  fallbackCharset?: string | undefined;
}

/** `ses:sns:<SNS MessageId>#<JSON pointer into the SES notification>`. */
export function rawRef(ctx: SesNormaliseContext, pointer: string): string {
  return `ses:sns:${ctx.snsMessageId}#${pointer}`;
}

/** True when SES's time parses, so `isoTime` gives SES's own time (the envelope's `providerTime`). */
export function isProviderTime(value: string): true | undefined {
  return Number.isNaN(new Date(value).getTime()) ? undefined : true;
}

/** A time as ISO 8601 UTC, or `fallback` when SES wrote one that does not parse. */
export function isoTime(value: string, fallback: string): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? fallback : time.toISOString();
}
