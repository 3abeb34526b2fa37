import { loadConfig } from '../config/config.js';
import { setupLine } from '../responder/setup-line.js';
import { devClock } from './dev-clock.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { type LocalRuntime, startLocalRuntime } from './runtime.js';
import { startBanner } from './start-banner.js';

/**
 * The runtime `npm start` runs, on `env`: the development secrets under DATA_DIR, routing, events and
 * live updates, and the clock `npm run clock` moves (its moves kept in DATA_DIR); with the banner it prints.
 */
export async function startNpmRuntime(
  env: Record<string, string | undefined>,
): Promise<{ runtime: LocalRuntime; banner: string }> {
  const dataDir = loadConfig(env).DATA_DIR;
  const config = loadConfig(withDevSecrets(devSecrets(dataDir), env));
  const clock = devClock(dataDir);
  const runtime = await startLocalRuntime({
    config,
    routing: true,
    events: true,
    live: true,
    providerStatuses: true,
    devClock: clock,
  });
  const setup = setupLine(config);
  return { runtime, banner: startBanner({ url: runtime.url, dataDir, config, aheadMs: clock.ahead, setup }) };
}
