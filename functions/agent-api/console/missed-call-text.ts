/**
 * The label of a conversation that waits for a call-back (`missedCallAt`, the missed call's end, as the
 * API gives it until the answer or resolve that ends the wait): "Missed call 14:05", the time as `time`
 * writes it (the console's `clock`: with the date when not today). None without one.
 */
export function missedCallLabel(
  missedCallAt: string | undefined,
  time: (at: string) => string,
): string | undefined {
  return missedCallAt ? `Missed call ${time(missedCallAt)}` : undefined;
}
