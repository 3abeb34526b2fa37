import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as z from 'zod';
import { bearerToken } from '#shared/api/guard.js';
import type { Caller } from '#shared/domain/caller.js';
import { durationMs } from '#shared/domain/sla/duration.js';
import { ConfigError } from '../config/config.js';
import type { Clock } from '../domain/ports.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js';
import { limitBody } from '../http/body-limit.js';
import { log } from '../log.js';
import { PRIVATE_FILE } from './private-files.js';
import { type LocalTimers, SteppedTimers } from './timers.js';
import type { LocalTimerStore } from './timers-store.js';

/** The longest move one call makes: a month (the minute-long periodic tasks step through it quickly). */
export const MAX_CLOCK_MOVE_MS = 31 * 24 * 3_600_000;

const clockFile = (dataDir: string) => join(dataDir, 'clock.json');

const ClockFileSchema = z.strictObject({ aheadMs: z.number().int().nonnegative() });

/**
 * `npm start`'s clock: the process clock plus every move `npm run clock` made on this DATA_DIR, kept in
 * `<dataDir>/clock.json` so a restart does not take time back (what the moves stamped stays in the
 * past). No file: the process clock.
 */
export function devClock(dataDir: string): SteppedTimers {
  let text: string;
  try {
    text = readFileSync(clockFile(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new SteppedTimers();
    throw new ConfigError(`${clockFile(dataDir)} cannot be read`);
  }
  let parsed: z.ZodSafeParseResult<z.infer<typeof ClockFileSchema>>;
  try {
    parsed = ClockFileSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = ClockFileSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    throw new ConfigError(
      `${clockFile(dataDir)}: expected {"aheadMs": <whole milliseconds, 0 or more>}; fix it, or delete the whole DATA_DIR to start the clock afresh`,
    );
  }
  return new SteppedTimers({ ahead: parsed.data.aheadMs });
}

/** Writes how far `timers` is ahead of the process clock (a temporary file renamed over the last). */
function saveAhead(dataDir: string, timers: SteppedTimers): void {
  const file = clockFile(dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ aheadMs: timers.ahead })}\n`, { mode: PRIVATE_FILE });
  renameSync(`${file}.tmp`, file);
}

/** What the clock routes need from the runtime. */
export interface DevClockRoutes {
  timers: SteppedTimers;
  /** Where the moves are kept (none: in memory). */
  dataDir: string | undefined;
  /** The agent API's check of a bearer token (a removed agent refused). */
  authenticate: (token: string) => Promise<Caller | undefined>;
  /** Resolves once what fell due has been handled (the runtime's `idle`). */
  settle: () => Promise<void>;
  /** When the next durable timer falls due (epoch ms), if one is set: each is a step of a move. */
  nextDue: () => number | undefined;
  /**
   * Before a move of `byMs` from `fromMs`: the agents' console leases still running run on by the move
   * (their consoles could not ping inside the jump), so the absent-agent sweep the move fires does not
   * take them for gone.
   */
  carryLeases?: ((fromMs: number, byMs: number) => Promise<unknown>) | undefined;
}

/** How long an advance waits for what fell due before answering anyway (`settled: false`). */
const SETTLE_WAIT_MS = 30_000;

/** The routes' context: the admin who called. */
type ClockEnv = { Variables: { agentId: string } };

const AdvanceSchema = z.strictObject({ by: z.string().max(40) });

/** The clock's state, as both routes answer it. */
function reading(timers: SteppedTimers) {
  return { now: new Date(timers.now()).toISOString(), aheadMs: timers.ahead };
}

/**
 * `GET /local/clock` and `POST /local/clock/advance` (`{"by": "PT2H"}`): `npm start`'s own routes to
 * rehearse SLA breaches, auto-resolve, surveys and snooze wake-ups without waiting. Admins only, even
 * locally. An advance moves time forward by an ISO 8601 duration (never back), fires every timer due
 * by the new time in order, each once, and answers once their work is done. Only the local runtime
 * mounts these: the layer rules keep `shared/local` out of every Lambda and stack.
 */
export function devClockApp(deps: DevClockRoutes): Hono {
  const app = new Hono<ClockEnv>();
  app.use('/local/clock', adminOnly(deps.authenticate));
  app.use('/local/clock/*', adminOnly(deps.authenticate), limitBody(1024));
  app.get('/local/clock', (c) => c.json(reading(deps.timers)));
  app.post('/local/clock/advance', async (c) => {
    const ms = await moveOf(c.req.raw);
    await deps.carryLeases?.(deps.timers.now(), ms);
    const settled = await moveInSteps(deps, ms);
    log('info', 'local clock moved forward', { agentId: c.get('agentId'), ms, ...reading(deps.timers) });
    return c.json({ ...reading(deps.timers), settled });
  });
  return new Hono().route('/', app);
}

/**
 * Moves the clock by `ms` one durable timer's due time at a time, letting the runtime handle what fell
 * due before the next step (a breach, then an auto-resolve, then a survey: each sees what the one
 * before did, as on time). Saved after each step. Past SETTLE_WAIT_MS (or a timer that stays due), the
 * rest of the move is made at once; answers whether everything was handled.
 */
async function moveInSteps(deps: DevClockRoutes, ms: number): Promise<boolean> {
  const deadline = Date.now() + SETTLE_WAIT_MS;
  const settledBy = () =>
    Promise.race([
      deps.settle().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), deadline - Date.now()).unref()),
    ]);
  const step = (by: number) => {
    deps.timers.advance(by);
    if (deps.dataDir) saveAhead(deps.dataDir, deps.timers);
  };
  let left = ms;
  let last: number | undefined;
  for (;;) {
    const due = deps.nextDue();
    if (due === undefined || due === last || Date.now() > deadline) break;
    const wait = Math.max(0, due - deps.timers.now());
    if (wait > left) break;
    step(wait);
    left -= wait;
    last = due;
    if (!(await settledBy())) break;
  }
  step(left);
  return settledBy();
}

/** The move a request asks for, in milliseconds; ValidationError (400) for anything else. */
async function moveOf(request: Request): Promise<number> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new ValidationError('expected a JSON body {"by": "PT2H"}');
  }
  const parsed = AdvanceSchema.safeParse(body);
  const ms = parsed.success ? durationMs(parsed.data.by) : undefined;
  if (ms === undefined) {
    throw new ValidationError(
      '`by` must be an ISO 8601 duration of weeks, days, hours, minutes or seconds, such as "PT2H": time only moves forward',
    );
  }
  if (ms > MAX_CLOCK_MOVE_MS) throw new ValidationError('`by` may be at most P31D a call');
  return ms;
}

/** A bearer token of an admin, or 401 (with the challenge) / 403 before the route runs. */
function adminOnly(authenticate: DevClockRoutes['authenticate']) {
  return createMiddleware<ClockEnv>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization') ?? '');
    const caller = token ? await authenticate(token) : undefined;
    if (!caller) {
      c.header('WWW-Authenticate', 'Bearer realm="threadline"');
      throw new UnauthorizedError('missing or invalid bearer token');
    }
    if (!caller.admin) throw new ForbiddenError('only admins may move the local clock');
    c.set('agentId', caller.agentId);
    await next();
  });
}

/** The runtime's options on `devClock` where it is given: its clock and durable timers read it. */
export function onDevClock<
  T extends { devClock?: SteppedTimers | undefined; clock?: Clock; timers?: LocalTimers },
>(options: T): T {
  const moved = options.devClock;
  return moved ? { ...options, timers: moved, clock: { now: () => new Date(moved.now()) } } : options;
}

/** Mounts `npm start`'s `/local/clock` routes on `app` when the runtime runs on a `devClock`. */
export function mountDevClock(
  app: Hono,
  devClock: SteppedTimers | undefined,
  parts: Pick<DevClockRoutes, 'dataDir' | 'authenticate' | 'carryLeases'> & {
    timerStore: Pick<LocalTimerStore, 'nextDue'>;
  },
  settle: () => Promise<void>,
): void {
  if (!devClock) return;
  const { timerStore, ...rest } = parts;
  app.route('/', devClockApp({ ...rest, timers: devClock, settle, nextDue: () => timerStore.nextDue() }));
}
