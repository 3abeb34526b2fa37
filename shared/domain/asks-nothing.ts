/**
 * What reaches us from a customer without asking anything: an SMS keyword the carrier and Twilio act on,
 * a call's progress, a voicemail hung up at the beep. Each is kept and shown on the timeline; none is
 * routed, makes a conversation wait or starts a response target. Read of envelopes and of timeline items
 * alike (both keep the message's `data` and a recording's `durationSeconds`).
 */

/**
 * The SMS keywords the normaliser records as `data.optOut` (`stop`, `start`, `help`: Twilio's STOP,
 * STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; START, UNSTOP; HELP, INFO) that ask nothing:
 * the contact state takes the opt-out and opt-in, Twilio answers them itself. YES, also an opt-in word of
 * Twilio's, is the everyday answer to a question ("Shall I refund it?"), so it stays the customer speaking
 * (and still lifts an opt-out): the words that make a message a keyword are checked on its text too.
 */
export function isContactKeyword(message: {
  text?: string | undefined;
  data?: Record<string, unknown> | undefined;
}): boolean {
  const keyword = message.data?.optOut;
  if (keyword !== 'stop' && keyword !== 'start' && keyword !== 'help') return false;
  return keyword !== 'start' || message.text?.trim().toUpperCase() !== 'YES';
}

/** A recording this short (seconds) holds nothing: the caller hung up right after the beep. */
export const EMPTY_RECORDING_SECONDS = 1;

/** Whether a voicemail's length says it holds nothing (`EMPTY_RECORDING_SECONDS` or less; unknown is not). */
export function isEmptyRecording(durationSeconds: unknown): boolean {
  return typeof durationSeconds === 'number' && durationSeconds <= EMPTY_RECORDING_SECONDS;
}
