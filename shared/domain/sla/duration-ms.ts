const DURATION = /^P(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,8})S)?)?$/;

/** Milliseconds in an ISO 8601 duration of weeks, days, hours, minutes and seconds; undefined if not one. */
export function durationMs(text: string): number | undefined {
  if (text.length > 40 || text === 'P' || text.endsWith('T')) return undefined;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const [w, d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = ((((w * 7 + d) * 24 + h) * 60 + m) * 60 + s) * 1000;
  return ms > 0 ? ms : undefined;
}

/** Why `text` is no duration the policy takes, in words that say what to write; undefined when it is one. */
export function durationProblem(text: string): string | undefined {
  if (durationMs(text) !== undefined) return undefined;
  const shown = JSON.stringify(text.slice(0, 40));
  if (/^[-−]/.test(text)) {
    return `${shown} is negative: a duration is how long to wait, and must be longer than zero (write it without the sign, such as "PT5M")`;
  }
  if (text.length <= 40 && DURATION.test(text) && text !== 'P' && !text.endsWith('T')) {
    return `${shown} is zero: a duration must be longer than zero, such as "PT5M"`;
  }
  return 'an ISO 8601 duration of weeks, days, hours, minutes or seconds, such as "PT5M" or "P1D"';
}
