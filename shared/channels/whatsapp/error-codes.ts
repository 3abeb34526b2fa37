/** What Threadline does with a WhatsApp error code: retry the send or not, and what it means for people. */
export interface CodeRule {
  retry: boolean;
  hint: string;
  /**
   * Our token or account is refused, not this customer: every reply fails alike until an admin fixes it
   * (CredentialsRefusedError: retried, then dead-lettered and redriven, never failed for good).
   */
  credentials?: true;
}

/**
 * Graph and Cloud API error codes (developers.facebook.com/documentation/business-messaging/whatsapp/
 * support/error-codes). A known code decides, whatever the HTTP status: code 3 comes with a 500 but is a
 * permission problem, code 1 and 131000 may come with a 400 but are transient.
 */
const CODES: Record<number, CodeRule> = {
  1: { retry: true, hint: 'unknown API error, possibly at Meta' },
  2: { retry: true, hint: 'the API is temporarily down or overloaded' },
  4: { retry: true, hint: 'the app reached its API call rate limit' },
  80007: { retry: true, hint: 'the WhatsApp Business Account reached its rate limit' },
  130429: { retry: true, hint: "the business number's message throughput was reached" },
  131000: { retry: true, hint: 'something went wrong at Meta' },
  131016: { retry: true, hint: 'a WhatsApp service is temporarily unavailable' },
  131056: { retry: true, hint: 'too many messages to this customer in a short time (pair rate limit)' },
  0: {
    retry: false,
    hint: 'the access token could not be authenticated: renew the WhatsApp token',
    credentials: true,
  },
  3: {
    retry: false,
    hint: 'the app lacks a capability or permission: check whatsapp_business_messaging',
    credentials: true,
  },
  10: {
    retry: false,
    hint: 'permission denied: check the token has whatsapp_business_messaging',
    credentials: true,
  },
  100: {
    retry: false,
    hint: 'a request parameter is invalid (phone number id, template name or language, media URL)',
  },
  190: {
    retry: false,
    hint: 'the access token has expired or was revoked: renew the WhatsApp token',
    credentials: true,
  },
  368: {
    retry: false,
    hint: 'the WhatsApp Business Account is blocked for policy violations',
    credentials: true,
  },
  130497: { retry: false, hint: 'the business may not message customers in this country' },
  131008: { retry: false, hint: 'a required parameter is missing' },
  131009: { retry: false, hint: 'a parameter value is invalid' },
  131021: { retry: false, hint: 'the recipient is the business number itself' },
  131026: {
    retry: false,
    hint: 'undeliverable: the customer may not use WhatsApp, may have blocked us or may need to update the app',
  },
  131031: { retry: false, hint: 'the WhatsApp Business Account is locked', credentials: true },
  131042: { retry: false, hint: 'a payment problem on the WhatsApp Business Account', credentials: true },
  131047: {
    retry: false,
    hint: 'more than 24 hours since the customer last wrote: only an approved template can be sent now',
  },
  131048: {
    retry: false,
    hint: 'the number is limited for spam: check its quality rating in WhatsApp Manager',
  },
  131049: {
    retry: false,
    hint: 'Meta held it back to keep engagement healthy (marketing limit): do not resend soon',
  },
  131050: { retry: false, hint: 'the customer stopped marketing messages from this business' },
  131051: { retry: false, hint: 'this message type is not supported' },
  131052: {
    retry: false,
    hint: 'WhatsApp could not download the media: the URL must be public, the type and size allowed',
  },
  131053: { retry: false, hint: 'WhatsApp could not upload the media: check its type and size' },
  131062: {
    retry: false,
    hint: 'this message cannot go to a business-scoped user id: it needs the phone number',
  },
  132000: { retry: false, hint: "the template's parameter count does not match its definition" },
  132001: { retry: false, hint: 'the template does not exist in that language or is not approved' },
  132005: { retry: false, hint: 'the template text is too long once its parameters are filled in' },
  132012: { retry: false, hint: "a template parameter does not match the template's format" },
  132015: { retry: false, hint: 'the template is paused for low quality' },
  132016: { retry: false, hint: 'the template is disabled' },
  133010: { retry: false, hint: 'the business number is not registered with the Cloud API' },
};

/** The rule of a Graph or Cloud API error code, when Threadline knows it. */
export function whatsAppErrorRule(code: number): CodeRule | undefined {
  if (code >= 200 && code <= 299) {
    return {
      retry: false,
      hint: 'permission not granted or removed: check whatsapp_business_messaging',
      credentials: true,
    };
  }
  return CODES[code];
}

/**
 * What a WhatsApp error code means, in words for an agent, when Threadline knows it: Meta's own text is
 * often bare ("Message Undeliverable.").
 */
export function whatsAppErrorHint(code: number | string): string | undefined {
  const value = typeof code === 'number' ? code : Number(code);
  return Number.isInteger(value) ? whatsAppErrorRule(value)?.hint : undefined;
}
