/** The Subject of an email reply: what buildRawEmail writes, and what the reply's timeline item records. */

/** The Subject a mail gets when its thread gives none: a mail is never sent without one. */
export const DEFAULT_SUBJECT = 'Your message';

/**
 * A reply prefix as clients write it in many languages (`Re:`, `RE :`, `Aw:`, `SV:`, `Antw:`, `Odp:`,
 * `Vá:`, `ΑΠ:`, `رد:`, `Re[2]:`...), at the start of a subject; forward prefixes (`Fwd:`, `WG:`) are not replies and stay.
 * One bounded match at a time, no nested quantifiers.
 */
const REPLY_PREFIX =
  /^(?:re|aw|sv|vs|antw|antwort|odp|ynt|atb|rif|res|vá|απ|σχετ|отв|رد|回复|回覆|答复)\s{0,3}(?:\[\d{1,4}\]|\(\d{1,4}\))?\s{0,3}[:：]\s*/iu;
/**
 * A mail gateway's tag at the start of a subject (`[EXTERNAL]`, `[EXT]`, `*EXTERNAL*`, `[External email]`):
 * dropped with the reply prefixes around it, so each round does not add one. Anchored, bounded.
 */
const GATEWAY_TAG =
  /^(?:\[(?:external|ext|extern|externe|externo)(?: (?:email|e-mail|mail|sender))?\]|\*{1,2}(?:external|ext)\*{1,2})\s*/i;
const MAX_SUBJECT_CHARS = 998;
/** Reply prefixes and gateway tags taken off a subject, at most (the subject is at most 998 characters anyway). */
const MAX_REPLY_PREFIXES = 20;

/**
 * The Subject: the thread's, one `Re: ` in front when replying (the prefixes a client already wrote,
 * in any of REPLY_PREFIX's languages and however many, become that one, and a gateway's tags among
 * them go: `RE: [EXTERNAL] Re: Invoice` is `Re: Invoice`), `DEFAULT_SUBJECT` when there is none.
 */
export function subjectOf(subject: string | undefined, replying: boolean): string {
  // A Subject is at most 998 characters (the outbound schema's bound too): nothing longer is read.
  let clean = (subject ?? '').slice(0, MAX_SUBJECT_CHARS).replace(/\s+/g, ' ').trim();
  let prefixed = false;
  for (let n = 0; n < MAX_REPLY_PREFIXES; n++) {
    const reply = REPLY_PREFIX.exec(clean);
    const match = reply ?? GATEWAY_TAG.exec(clean);
    if (!match) break;
    clean = clean.slice(match[0].length);
    prefixed ||= reply !== null;
  }
  const base = clean || DEFAULT_SUBJECT;
  return replying || prefixed ? `Re: ${base}` : base;
}
