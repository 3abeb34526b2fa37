import type { Channel, Identity } from './envelope.js';
import { phoneIdentityKey } from './identity.js';

/**
 * WhatsApp's counterpart of `sms-opt-out.ts`. Meta's WhatsApp Business Policy asks businesses to honour
 * a person's request to stop, but WhatsApp (unlike a carrier) acts on no keyword itself: Threadline
 * records it. A message that is an opt-out keyword alone is kept as `data.optOut` (`stop`, `start`),
 * as an SMS keyword is, and the contact state of that number takes it, in the same partition as its SMS
 * states (so an erasure settles it and an export lists it as it does theirs), toward `WHATSAPP_STATE`
 * instead of one of our SMS numbers: an SMS STOP never blocks WhatsApp, nor a WhatsApp one SMS.
 */

/** The `number` a WhatsApp opt-out or opt-in is recorded toward (none of our SMS numbers is written so). */
export const WHATSAPP_STATE = 'whatsapp';

/**
 * The words that opt out (`stop`) or back in (`start`) when they are the whole message (case and
 * accents aside): the SMS side's English ones but CANCEL and END (STOP, STOPALL, UNSUBSCRIBE, QUIT,
 * REVOKE, OPTOUT; START, UNSTOP), Portuguese (PARAR, SAIR, DESCADASTRAR; VOLTAR, ATIVAR) and Spanish
 * (BAJA, DETENER; ALTA, ACTIVAR). Not CANCEL, CANCELAR nor END: on a shop's chat a customer who writes
 * them alone means their order or the chat (no carrier rule asks for them here, as it does on SMS).
 * Not YES (an everyday answer), nor HELP: on WhatsApp nobody answers a HELP for us, so it is a message
 * for an agent.
 */
const KEYWORDS: ReadonlyMap<string, 'stop' | 'start'> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'QUIT', 'REVOKE', 'OPTOUT'].map((word) => [word, 'stop'] as const),
  ...['PARAR', 'SAIR', 'DESCADASTRAR', 'BAJA', 'DETENER'].map((word) => [word, 'stop'] as const),
  ...['START', 'UNSTOP', 'VOLTAR', 'ATIVAR', 'ALTA', 'ACTIVAR'].map((word) => [word, 'start'] as const),
]);

/** The longest text read as a keyword: a keyword is a word, not a message that mentions one. */
const KEYWORD_MAX_CHARS = 16;

/**
 * The opt-out (`stop`) or opt-in (`start`) a WhatsApp text is, when it is a keyword alone (trailing
 * `.` or `!` aside); undefined for any other text. Reads at most KEYWORD_MAX_CHARS characters.
 */
export function whatsappKeyword(text: string | undefined): 'stop' | 'start' | undefined {
  if (text === undefined || text.length > KEYWORD_MAX_CHARS) return undefined;
  const word = text
    .trim()
    .replace(/[.!]+$/, '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
  return KEYWORDS.get(word);
}

/**
 * What a reply's contact state is read by (`getContactState`'s arguments): on WhatsApp, the number in
 * its key form (the state is recorded under the identity; a reply goes to the number as WhatsApp
 * writes it: Brazil's eight-digit mobiles) toward WHATSAPP_STATE; else the address toward our number.
 */
export function contactStateQuery(
  channel: Channel,
  to: Identity,
  from: string | undefined,
): [Identity, string | undefined] {
  if (channel !== 'whatsapp') return [to, from];
  const key = to.kind === 'phone' ? { kind: to.kind, value: phoneIdentityKey(to.value) } : to;
  return [key, WHATSAPP_STATE];
}

/**
 * Why a WhatsApp message may not go to a number that opted out (`blocked`), or undefined when it may:
 * never a template (business initiated) nor anything automated (a survey, the AI, an automation); a
 * person's free-form reply only once the customer wrote again after opting out (`lastInboundAt`, their
 * latest message that was no keyword), within WhatsApp's 24-hour window as any reply. An opt-in
 * keyword (START, VOLTAR) lifts it all.
 */
export function whatsappOptOutRefusal(context: {
  blocked?: { reason: string; at: string } | undefined;
  hasTemplate: boolean;
  automated: boolean;
  lastInboundAt?: string | undefined;
}): string | undefined {
  const { blocked } = context;
  if (!blocked) return undefined;
  const wroteAgain = context.lastInboundAt !== undefined && context.lastInboundAt > blocked.at;
  if (wroteAgain && !context.hasTemplate && !context.automated) return undefined;
  return `the customer opted out of WhatsApp messages from us (${blocked.reason}, ${blocked.at}): no template, survey or automated message may go to them; an agent may answer only when they write again, and an opt-in (START, VOLTAR) lifts it`;
}
