/**
 * The draft once `sent` has gone: empty when it is all the box holds; what was typed after it while the
 * send was on its way (before, the box was emptied and that was lost); all of it when the sent part was
 * itself edited meanwhile (nothing is lost: the sent reply shows in the timeline).
 */
export function afterSent(now: string, sent: string): string {
  if (now === sent) return '';
  return sent && now.startsWith(sent) ? now.slice(sent.length).trimStart() : now;
}
