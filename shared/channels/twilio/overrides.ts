/**
 * The connection overrides (providers.md §1.2) that end every callback URL Threadline gives Twilio: the
 * `<Record>` callbacks of its TwiML and a reply's `StatusCallback`. By default Twilio retries only a
 * connection that failed, so a `503` (the queue failing) or a `429` (the route's throttle) would lose a
 * voicemail, a transcript or a reply's status for good. With these Twilio tries 3 more times on any
 * failure, within its 15 s; every callback is idempotent (the envelope ids are Twilio's). A fragment:
 * Twilio neither sends nor signs it.
 */
export const TWILIO_RETRY_OVERRIDES = '#rc=3&rp=all';
