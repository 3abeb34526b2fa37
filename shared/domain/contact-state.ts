/** Whether we may send to an address, and why not. */
export interface ContactState {
  blocked: boolean;
  reason: string;
  at: string;
  envelopeId: string;
  /**
   * SMS: our number the customer texted STOP or START to (Twilio's opt-outs are per sending number).
   * Absent: the address's own (an email suppression; an SMS opt-out naming none of our numbers, or
   * stored before they were kept per number): a block from every number of ours (`contactStateFor`).
   */
  number?: string | undefined;
  /**
   * The customer whose message (or reply, or mail) recorded it: the consent event it makes names them
   * (`contact.opted_out`, `contact.opted_in`). Absent for a suppression of a mail we did not send, and
   * on what an erasure keeps (no customer), so those make none.
   */
  customerId?: string | undefined;
}

/** A STOP keyword's reason, and a START's: what the consent events tell as `stop_keyword`, `start_keyword`. */
export const STOP_REASON = 'opted out (STOP)';
export const START_REASON = 'opted in (START)';
