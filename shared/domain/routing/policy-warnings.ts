import { skippedWallTime } from '../sla/calendar.js';
import { durationMs } from '../sla/duration.js';
import type { RoutingPolicy } from './policy.js';

/** What the warnings read of a calendar or of business hours: the same shape in both. */
interface Hours {
  timezone: string;
  hours: ReadonlyArray<{ days: readonly string[]; open: string; close: string }>;
  holidays: readonly string[];
  overrides: Readonly<Record<string, ReadonlyArray<{ open: string; close: string }>>>;
}

const YEAR_MS = 365 * 86_400_000;
const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
/** A window's minutes from its day's midnight: one that closes at or before it opens runs past midnight. */
const span = (w: { open: string; close: string }): [number, number] => {
  const open = minutes(w.open);
  const close = minutes(w.close);
  return [open, close <= open ? close + 1440 : close];
};
const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];
const shown = (w: { open: string; close: string }) => `${w.open}–${w.close}`;

/** Today's date on `zone`'s wall clock (`YYYY-MM-DD`). */
const today = (zone: string, now: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);

/**
 * A list of holidays none of which is to come (a team that keeps last year's dates beside this
 * year's is told nothing: those dates do no harm), and a date listed twice.
 */
function holidayWarnings(where: string, hours: Hours, now: Date): string[] {
  const found: string[] = [];
  const date = today(hours.timezone, now);
  const past = hours.holidays.filter((d) => d < date);
  if (past.length > 0 && past.length === hours.holidays.length) {
    found.push(
      `${where}.holidays: every date has passed (the latest is ${[...past].sort().at(-1)}): add the coming ones, or the team counts as open on them`,
    );
  }
  const twice = hours.holidays.filter((d, i) => hours.holidays.indexOf(d) !== i);
  for (const d of new Set(twice)) found.push(`${where}.holidays: ${d} is listed twice`);
  return found;
}

/** A day listed twice in one window, and windows of one day that overlap. */
function weekWarnings(where: string, hours: Hours): string[] {
  const found: string[] = [];
  for (const [i, w] of hours.hours.entries()) {
    const twice = new Set(w.days.filter((d, k) => w.days.indexOf(d) !== k));
    for (const d of twice) found.push(`${where}.hours[${i}].days: ${d} is listed twice`);
  }
  for (const [i, a] of hours.hours.entries()) {
    for (const [j, b] of hours.hours.entries()) {
      if (j <= i || !overlap(span(a), span(b))) continue;
      const days = [...new Set(a.days.filter((d) => b.days.includes(d)))];
      if (days.length === 0) continue;
      found.push(
        `${where}.hours[${i}] (${shown(a)}) and hours[${j}] (${shown(b)}) overlap on ${days.join(', ')}: check them`,
      );
    }
  }
  return found;
}

/** Override windows of one date that overlap, and a window whose time the clocks skip (moved on). */
function overrideWarnings(where: string, hours: Hours): string[] {
  const found: string[] = [];
  for (const [date, windows] of Object.entries(hours.overrides)) {
    for (const [i, a] of windows.entries()) {
      for (const [j, b] of windows.entries()) {
        if (j > i && overlap(span(a), span(b))) {
          found.push(`${where}.overrides.${date}[${i}] (${shown(a)}) and [${j}] (${shown(b)}) overlap`);
        }
      }
      for (const edge of ['open', 'close'] as const) {
        const moved = skippedWallTime(hours.timezone, date, a[edge]);
        if (moved) {
          found.push(
            `${where}.overrides.${date}[${i}].${edge}: ${a[edge]} does not happen that day in ${hours.timezone} (the clocks go forward): it was moved to ${moved}`,
          );
        }
      }
    }
  }
  return found;
}

/** Every set of hours of the policy, with where it is: SLA calendars, the business hours, each queue's. */
function allHours(policy: RoutingPolicy): Array<[string, Hours]> {
  return [
    ...Object.entries(policy.sla.calendars).map(([name, c]): [string, Hours] => [`sla.calendars.${name}`, c]),
    ...(policy.businessHours ? [['businessHours', policy.businessHours] as [string, Hours]] : []),
    ...policy.queues.flatMap(
      (q, i): Array<[string, Hours]> =>
        q.businessHours ? [[`queues[${i}].businessHours`, q.businessHours]] : [],
    ),
  ];
}

/** Every duration of the policy, with where it is. */
function allDurations(policy: RoutingPolicy): Array<[string, string | undefined]> {
  return [
    ...policy.sla.policies.flatMap((p, i) =>
      (['firstResponse', 'nextResponse', 'resolution'] as const).map((m): [string, string | undefined] => [
        `sla.policies[${i}].${m}`,
        p[m],
      ]),
    ),
    ['autoResolve.after', policy.autoResolve?.after],
    ['csat.delay', policy.csat?.delay],
    ...policy.automations.flatMap((rule, i) => [
      [`automations[${i}].delay`, rule.delay] as [string, string | undefined],
      ...rule.actions.map((a, k): [string, string | undefined] => [
        `automations[${i}].actions[${k}].for`,
        a.type === 'snooze' ? a.for : undefined,
      ]),
    ]),
  ];
}

/** SLA policies after a `match: {}` one, a first response longer than the resolution, survey exclusions. */
function slaWarnings(policy: RoutingPolicy): string[] {
  const found: string[] = [];
  const policies = policy.sla.policies;
  const catchAll = policies.findIndex((p) => Object.values(p.match).every((v) => v === undefined));
  if (catchAll >= 0 && catchAll < policies.length - 1) {
    const rest = policies.slice(catchAll + 1).map((p) => `"${p.name}"`);
    found.push(
      `sla.policies[${catchAll}] ("${policies[catchAll]?.name}") matches every conversation ({}), so ${rest.join(', ')} after it can never apply: put it last`,
    );
  }
  for (const [i, p] of policies.entries()) {
    const first = p.firstResponse && durationMs(p.firstResponse);
    const resolution = p.resolution && durationMs(p.resolution);
    if (first && resolution && first > resolution) {
      found.push(
        `sla.policies[${i}].firstResponse (${p.firstResponse}) is longer than its resolution (${p.resolution}): the resolution target is missed before the first response is late`,
      );
    }
    for (const [k, action] of p.onBreach.entries()) {
      if (action.type === 'queue' && policy.csat?.excludeQueues.includes(action.queue)) {
        found.push(
          `csat.excludeQueues has ${action.queue}, where sla.policies[${i}].onBreach[${k}] moves late conversations: they get no survey`,
        );
      }
    }
  }
  return found;
}

/**
 * What in a routing policy that parses is likely not what its writer meant (a holiday passed, hours
 * that overlap, a policy that hides the ones after it, a duration over a year...): each warning names
 * the field. The start logs them and prints them, the synth shows them; none stops either.
 */
export function routingPolicyWarnings(policy: RoutingPolicy, now: Date): string[] {
  const found = allHours(policy).flatMap(([where, hours]) => [
    ...holidayWarnings(where, hours, now),
    ...weekWarnings(where, hours),
    ...overrideWarnings(where, hours),
  ]);
  found.push(...slaWarnings(policy));
  for (const [where, text] of allDurations(policy)) {
    const ms = text && durationMs(text);
    if (ms && ms > YEAR_MS) found.push(`${where}: ${text} is over a year: check it`);
  }
  return found;
}
