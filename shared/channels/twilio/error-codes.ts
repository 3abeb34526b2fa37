/**
 * What the error codes of Twilio's message status callbacks (`ErrorCode` on `undelivered`, `failed`)
 * mean for an agent, for the codes seen most (twilio.com/docs/api/errors/<code>): the callback's own
 * text, when it has any, is as bare as "Unknown error", and most carry none.
 */
const STATUS_HINTS: Readonly<Record<string, string>> = {
  '30003':
    "unreachable handset: the customer's phone is off, out of coverage or cannot take SMS; it may go through later",
  '30004': "blocked: the customer's number or their carrier refuses messages from our number",
  '30005': 'unknown destination: the number does not exist or is no longer in service',
  '30006': 'a landline, or a carrier our number cannot reach: the customer cannot get texts there',
  '30007':
    "filtered by the carrier as spam or against its rules: check the number's registration and the text",
  '30008': 'an unknown error at the carrier: sending again may work',
  '21610': 'the customer texted STOP to our number: they must text START before they get our texts',
  '21614': 'not a mobile number: the customer cannot get texts there',
};

/** What a Twilio status callback's error code means, in words for an agent, when Threadline knows it. */
export function twilioStatusHint(code: string): string | undefined {
  return Object.hasOwn(STATUS_HINTS, code) ? STATUS_HINTS[code] : undefined;
}
