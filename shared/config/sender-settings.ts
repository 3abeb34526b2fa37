/**
 * The checks of the settings that name our own senders (see ConfigSchema): each answers why a value
 * cannot be used, naming what to write instead, or undefined when it can. Each setting names exactly
 * one sender: a list, a Messaging Service SID or a number without its country code was taken before,
 * and every reply then failed at the provider, or every message was dropped as another account's.
 */

/** One E.164 number: `+`, then 8 to 15 digits, the first not 0. */
const E164 = /^\+[1-9]\d{7,14}$/;
const WHATSAPP_PREFIX = /^whatsapp:/i;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]/i;
const SHORT_CODE = /^\d{3,8}$/;

/** Why a value of a Twilio sender setting is not one E.164 number, or undefined when it is. */
function numberProblem(value: string): string | undefined {
  if (value.length > 64) return 'one E.164 number, such as +15017120001 (+ and 8 to 15 digits)';
  if (E164.test(value)) return undefined;
  if (value.includes(',') || value.includes(';'))
    return 'one number only, not a list: replies to a customer go from the number they wrote to; this number is used when they named none';
  if (MESSAGING_SERVICE_SID.test(value))
    return 'a number, not a Messaging Service SID (MG…): write the service’s number, in E.164, such as +15017120001';
  if (SHORT_CODE.test(value))
    return 'an E.164 number, not a short code: a short code answers only the customers who texted it, which Threadline does by itself';
  return 'an E.164 number: + and the country code, then the number, 8 to 15 digits in all, no spaces or dashes (such as +15017120001)';
}

/** TWILIO_FROM_NUMBER: one E.164 number. */
export const twilioNumberProblem = numberProblem;

/** TWILIO_WHATSAPP_FROM: one E.164 number, `whatsapp:` before it or not. */
export function twilioWhatsappProblem(value: string): string | undefined {
  return numberProblem(value.replace(WHATSAPP_PREFIX, ''));
}

/** WHATSAPP_PHONE_NUMBER_ID: one Cloud API phone number id, digits only (not the phone number). */
export function phoneNumberIdProblem(value: string): string | undefined {
  return /^\d{1,32}$/.test(value)
    ? undefined
    : 'one numeric phone number id (WhatsApp Manager, API Setup), not a list, not the phone number: messages to any other number are dropped';
}
