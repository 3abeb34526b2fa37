import * as z from 'zod';

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

/**
 * An ISO 8601 duration (`PT5M`, `PT4H`, `P1D`, `P1W`); years and months are refused, having no fixed
 * length. Under a business calendar it counts open time only (`P1D` is 24 open hours).
 */
export const DurationSchema = z.string().refine((text) => durationMs(text) !== undefined, {
  message: 'an ISO 8601 duration of weeks, days, hours, minutes or seconds, such as "PT5M" or "P1D"',
});
