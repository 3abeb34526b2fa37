import { useEffect, useState } from 'preact/hooks';

/** Milliseconds from `now` to the next local midnight (a second past it, so the new day has begun). */
export function untilMidnight(now: Date): number {
  const next = new Date(now);
  next.setHours(24, 0, 1, 0);
  return next.getTime() - now.getTime();
}

/**
 * Draws the console again when the local day turns, so a time labelled as today's (the time of day
 * alone) gets its date in a console left open over midnight; one timer, set again each day.
 */
export function useDayTurns(): void {
  const [, setDay] = useState(() => new Date().toDateString());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const wait = () => {
      timer = setTimeout(() => {
        setDay(new Date().toDateString());
        wait();
      }, untilMidnight(new Date()));
    };
    wait();
    return () => clearTimeout(timer);
  }, []);
}
