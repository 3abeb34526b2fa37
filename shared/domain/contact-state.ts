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
}
