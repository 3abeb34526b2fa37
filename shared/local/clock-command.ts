import { loadConfig, parseAgentTokens } from '../config/config.js';
import { durationMs } from '../domain/sla/duration.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { runningRuntime } from './runtime-lock.js';
import { aheadText } from './start-banner.js';

export const clockUsage = `usage: npm run clock [-- advance <duration>]
  (nothing)           shows the running npm start's time and how far it runs ahead
  advance <duration>  moves it forward (2h, 90m, 1d, 30s, 1w, or ISO 8601 such as PT2H) and fires every
                      timer due by then: SLA warnings and breaches, auto-resolve, surveys, snooze ends
  Talks to the npm start on DATA_DIR, at PORT, as the first admin of AGENT_TOKENS (the development
  agent unless you set them). Time only moves forward; delete DATA_DIR to start afresh.`;

/** `2h` → `PT2H`; ISO 8601 durations as they are; undefined for anything else. */
export function isoDuration(text: string): string | undefined {
  const short = /^\d{1,6}[smhdw]$/i.test(text);
  const upper = text.toUpperCase();
  const iso = short ? (/[DW]$/.test(upper) ? `P${upper}` : `PT${upper}`) : upper;
  return durationMs(iso) === undefined ? undefined : iso;
}

/** Where `npm start` on `env` listens, and an admin token it takes; a line to print when it does not run. */
function target(env: Record<string, string | undefined>): { url: string; token: string } | string {
  const dataDir = loadConfig(env).DATA_DIR;
  if (runningRuntime(dataDir) === undefined) return `no npm start is running on DATA_DIR ${dataDir}`;
  const config = loadConfig(withDevSecrets(devSecrets(dataDir), env));
  const admin = [...parseAgentTokens(config.AGENT_TOKENS)].find(([, caller]) => caller.admin);
  if (!admin) return 'AGENT_TOKENS has no admin (an entry ending in :admin): only admins may move the clock';
  return { url: `http://127.0.0.1:${config.PORT}`, token: admin[0] };
}

/**
 * `npm run clock [-- advance <duration>]`: reads or moves the running `npm start`'s clock through its
 * `/local/clock` routes. Answers the exit code; writes its lines to `out` and `err`.
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
  const [verb, amount, ...rest] = argv;
  const by = amount === undefined ? undefined : isoDuration(amount);
  if ((verb !== undefined && verb !== 'advance') || (verb === 'advance' && !by) || rest.length > 0) {
    io.err(clockUsage);
    return 2;
  }
  const to = target(env);
  if (typeof to === 'string') {
    io.err(to);
    return 1;
  }
  const headers = { authorization: `Bearer ${to.token}`, 'content-type': 'application/json' };
  const answer = await (verb
    ? fetch(`${to.url}/local/clock/advance`, { method: 'POST', headers, body: JSON.stringify({ by }) })
    : fetch(`${to.url}/local/clock`, { headers })
  ).catch((error: unknown) => error as Error);
  if (answer instanceof Error) {
    io.err(
      `cannot reach npm start at ${to.url} (${answer.cause instanceof Error ? answer.cause.message : answer.message})`,
    );
    return 1;
  }
  const body = (await answer.json().catch(() => ({}))) as {
    now?: string;
    aheadMs?: number;
    settled?: boolean;
    error?: { message?: string };
  };
  if (!answer.ok) {
    io.err(`${answer.status}: ${body.error?.message ?? 'refused'}`);
    return 1;
  }
  io.out(`now ${body.now} (${aheadText(body.aheadMs ?? 0)} ahead of this machine's clock)`);
  if (body.settled === false) io.out('what fell due is still being handled: see the runtime log');
  return 0;
}
