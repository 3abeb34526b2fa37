/**
 * A `snoozed` or `woke` event in words: until when and by whom (`agent`, the agent who did it, if one
 * did; `time`, a time as the console shows it), and why it woke (the customer wrote, an agent woke it,
 * its time came). Before, the timeline read the bare "snoozed" and "woke", so an agent saw that a
 * colleague had snoozed a conversation but neither until when nor who.
 */
export function snoozeText(
  event: 'snoozed' | 'woke',
  d: Record<string, unknown>,
  agent: string | undefined,
  time: (at: string) => string,
): string {
  const by = agent ? ` by ${agent}` : '';
  if (event === 'snoozed')
    return `Snoozed${typeof d.until === 'string' ? ` until ${time(d.until)}` : ''}${by}`;
  if (d.reason === 'customer') return 'Woken: the customer wrote';
  if (d.reason === 'timer')
    return `Snooze ended${typeof d.snoozedUntil === 'string' ? ` (it was until ${time(d.snoozedUntil)})` : ''}`;
  return `Woken${by}`;
}
