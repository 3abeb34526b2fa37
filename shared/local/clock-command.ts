import { loadConfig, parseAgentTokens } from '../config/config.js';
import { durationMs } from '../domain/sla/duration.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { runningRuntime } from './runtime-lock.js';
import { aheadText } from './start-banner.js';

export const clockUsage = `usage: npm run clock [-- advance <duration> | advance --to <time>]
  (nothing)           shows the running npm start's time and how far it runs ahead
  advance <duration>  moves it forward (2h, 90m, 1d, 30s, 1w, or ISO 8601 such as PT2H) and fires every
                      timer due by then: SLA warnings and breaches, auto-resolve, surveys, snooze ends
  advance --to <time> moves it forward to that time (ISO 8601, such as 2026-03-08T11:00:00Z), if it is
                      not there yet: finishes a move that npm start stopped in the middle of
  Talks to the npm start on DATA_DIR, at PORT, as the first admin of AGENT_TOKENS (the development
  agent unless you set them). Time only moves forward; delete DATA_DIR to start afresh.`;

/** `2h` → `PT2H`; ISO 8601 durations as they are; undefined for anything else. */
export function isoDuration(text: string): string | undefined {
  const short = /^\d{1,6}[smhdw]$/i.test(text);
  const upper = text.toUpperCase();
  const iso = short ? (/[DW]$/.test(upper) ? `P${upper}` : `PT${upper}`) : upper;
  return durationMs(iso) === undefined ? undefined : iso;
}

/** Where `npm start` on `env` listens, the admin token it takes and who that is; a line to print when it does not run. */
interface ClockTarget {
  url: string;
  token: string;
  /** The admin entry of AGENT_TOKENS the command signs in as: its agent id and where AGENT_TOKENS came from. */
  admin: { agentId: string; from: 'environment' | 'development secrets' };
}

function target(env: Record<string, string | undefined>): ClockTarget | string {
  const dataDir = loadConfig(env).DATA_DIR;
  if (runningRuntime(dataDir) === undefined) return `no npm start is running on DATA_DIR ${dataDir}`;
  const secrets = devSecrets(dataDir);
  const config = loadConfig(withDevSecrets(secrets, env));
  const admin = [...parseAgentTokens(config.AGENT_TOKENS)].find(([, caller]) => caller.admin);
  if (!admin) return 'AGENT_TOKENS has no admin (an entry ending in :admin): only admins may move the clock';
  const from = config.AGENT_TOKENS === secrets.AGENT_TOKENS ? 'development secrets' : 'environment';
  return {
    url: `http://127.0.0.1:${config.PORT}`,
    token: admin[0],
    admin: { agentId: admin[1].agentId, from },
  };
}

/**
 * A refusal of the clock routes. A 401 or 403 is the token: npm start runs with other AGENT_TOKENS
 * (its own, set in its environment) than this command read, or that entry is no admin there. Before,
 * it said `401: refused`, naming neither.
 */
function refusal(to: ClockTarget, status: number, body: ClockAnswer): string {
  const said = `${status}: ${body.error?.message ?? 'refused'}`;
  if (status !== 401 && status !== 403) return said;
  const where =
    to.admin.from === 'environment'
      ? 'AGENT_TOKENS of the environment'
      : "AGENT_TOKENS of the development secrets (DATA_DIR's dev-secrets.json: AGENT_TOKENS is not set here)";
  return (
    `${said}. npm run clock signed in as ${to.admin.agentId}, the first admin entry of the ${where}; ` +
    `npm start does not take it as an admin. Pass the AGENT_TOKENS this npm start runs with ` +
    `(AGENT_TOKENS="…" npm run clock -- …), with an entry ending in :admin`
  );
}

/** What the clock routes answer. */
interface ClockAnswer {
  now?: string;
  aheadMs?: number;
  settled?: boolean;
  error?: { message?: string };
}

/** A call to npm start's clock routes: its answer, or the line saying why there is none. */
async function callClock(
  to: ClockTarget,
  by?: string,
): Promise<{ ok: boolean; status: number; body: ClockAnswer } | string> {
  const headers = { authorization: `Bearer ${to.token}`, 'content-type': 'application/json' };
  const answer = await (by
    ? fetch(`${to.url}/local/clock/advance`, { method: 'POST', headers, body: JSON.stringify({ by }) })
    : fetch(`${to.url}/local/clock`, { headers })
  ).catch((error: unknown) => error as Error);
  if (answer instanceof Error) {
    return `cannot reach npm start at ${to.url} (${answer.cause instanceof Error ? answer.cause.message : answer.message})`;
  }
  const body = (await answer.json().catch(() => ({}))) as ClockAnswer;
  return { ok: answer.ok, status: answer.status, body };
}

/** `advance`'s arguments: a duration, or `--to` a time; undefined when they are neither. */
function moveOf(args: readonly string[]): { by: string } | { to: number } | undefined {
  const [first, second, ...rest] = args;
  if (rest.length > 0) return undefined;
  if (first === '--to') {
    const to =
      second && second.length <= 40 && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(second)
        ? Date.parse(second)
        : NaN;
    return Number.isNaN(to) ? undefined : { to };
  }
  const by = first === undefined || second !== undefined ? undefined : isoDuration(first);
  return by ? { by } : undefined;
}

/**
 * `npm run clock [-- advance <duration> | advance --to <time>]`: reads or moves the running `npm
 * start`'s clock through its `/local/clock` routes. A move reads the clock first, so when npm start
 * stops in the middle of it (each step is kept in clock.json), the command says the time it was going
 * to and the `advance --to` that finishes it, rather than a move that would go past it. Answers the exit
 * code; writes its lines to `out` and `err`.
 */
export async function clockCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  if (argv.includes('--help')) {
    io.out(clockUsage);
    return 0;
  }
  const [verb, ...args] = argv;
  const move = verb === 'advance' ? moveOf(args) : undefined;
  if ((verb !== undefined && !move) || (verb === undefined && args.length > 0)) {
    io.err(clockUsage);
    return 2;
  }
  const to = target(env);
  if (typeof to === 'string') {
    io.err(to);
    return 1;
  }
  const before = await callClock(to);
  if (typeof before === 'string') {
    io.err(before);
    return 1;
  }
  const start = Date.parse(before.body.now ?? '');
  if (!before.ok || Number.isNaN(start)) {
    io.err(refusal(to, before.status, before.body));
    return 1;
  }
  if (!move) return report(before.body, io);
  const goal = 'to' in move ? move.to : start + (durationMs(move.by) ?? 0);
  const left = goal - start;
  if (left <= 0) {
    io.out(`now ${before.body.now}: already at or past ${new Date(goal).toISOString()}, nothing to move`);
    return 0;
  }
  const answer = await callClock(to, 'to' in move ? `PT${Math.ceil(left / 1000)}S` : move.by);
  if (typeof answer === 'string') {
    io.err(answer);
    io.err(
      `the move to ${new Date(goal).toISOString()} may have stopped part-way (each step made is kept); ` +
        `once npm start runs, finish it with: npm run clock -- advance --to ${new Date(goal).toISOString()}`,
    );
    return 1;
  }
  if (!answer.ok) {
    io.err(refusal(to, answer.status, answer.body));
    return 1;
  }
  return report(answer.body, io);
}

/** The clock's time and lead, and whether what fell due is still being handled. */
function report(body: ClockAnswer, io: { out: (line: string) => void }): number {
  io.out(`now ${body.now} (${aheadText(body.aheadMs ?? 0)} ahead of this machine's clock)`);
  if (body.settled === false) io.out('what fell due is still being handled: see the runtime log');
  return 0;
}
