/**
 * What Twilio's error codes mean for an agent (twilio.com/docs/api/errors/<code>): one table for both
 * places they reach us. A send Twilio refuses (`TwilioSender`: the failed reply's reason, with the code
 * after it) and a message status callback's `ErrorCode` on `undelivered` or `failed` (the hint beside
 * the code, where Twilio's own text is as bare as "Unknown error", when there is any). The codes seen
 * most, and those an agent or an operator can act on.
 */
const TWILIO_ERRORS: Readonly<Record<string, string>> = {
  '20003': 'Twilio rejected our credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
  '21211': "the customer's number is not a valid phone number",
  '21408': "sending to the customer's country is not enabled on the Twilio account",
  '21606': 'our Twilio number cannot send to this destination',
  '21608': 'a Twilio trial account can only send to verified numbers',
  '21610':
    'the customer texted STOP to our number and opted out: they must text START to it before we can text them again',
  '21612': "the customer's number cannot be reached from our Twilio number",
  '21614':
    "not a mobile number: the customer's number cannot receive SMS (a landline, or an invalid mobile number)",
  '21617': 'the text is longer than the 1600 characters Twilio sends in one message',
  '30003':
    "unreachable handset: the customer's phone is off, out of coverage or cannot take SMS; it may go through later",
  '30004': "blocked: the customer's number or their carrier refuses messages from our number",
  '30005': 'unknown destination: the number does not exist or is no longer in service',
  '30006': 'a landline, or a carrier our number cannot reach: the customer cannot get texts there',
  '30007':
    "filtered by the carrier as spam or against its rules: check the number's registration and the text",
  '30008': 'an unknown error at the carrier: sending again may work',
  '63007': 'our WhatsApp sender is not set up on Twilio: check TWILIO_WHATSAPP_FROM',
  '63016':
    'the WhatsApp 24-hour customer service window is closed: use a template until the customer writes again',
};

/** What a Twilio error code means, in words for an agent, when Threadline knows it. */
export function twilioStatusHint(code: string): string | undefined {
  return Object.hasOwn(TWILIO_ERRORS, code) ? TWILIO_ERRORS[code] : undefined;
}

/** Why Twilio refused a send with `code`, for the failed reply (the code after it), when Threadline knows it. */
export function twilioRefusal(code: number): string | undefined {
  const meaning = twilioStatusHint(String(code));
  return meaning && `${meaning} (Twilio error ${code})`;
}
