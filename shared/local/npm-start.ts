import { loadConfig } from '../config/config.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import { routingPolicyWarnings } from '../domain/routing/policy-warnings.js';
import { setupLine } from '../responder/setup-line.js';
import { devClock } from './dev-clock.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { localTrustedCertFile } from './local-sns-key.js';
import { type LocalRuntime, startLocalRuntime } from './runtime.js';
import { startBanner } from './start-banner.js';
import { backfillsToRun, runningVersion, tableIsNew } from './upgrade-check.js';

/**
 * The runtime `npm start` runs, on `env`: the development secrets under DATA_DIR, routing, events and
 * live updates, and the clock `npm run clock` moves (its moves kept in DATA_DIR); with the banner it prints,
 * which names the version and any upgrade command this data still needs.
 */
export async function startNpmRuntime(
  env: Record<string, string | undefined>,
): Promise<{ runtime: LocalRuntime; banner: string }> {
  const dataDir = loadConfig(env).DATA_DIR;
  const loaded = loadConfig(withDevSecrets(devSecrets(dataDir), env));
  // `npm run send -- email` signs with DATA_DIR's own key; with PUBLIC_BASE_URL (a tunnel for real SNS) certificates are fetched.
  const config = { ...loaded, SNS_TRUSTED_CERT_FILE: localTrustedCertFile(dataDir, loaded) };
  const clock = devClock(dataDir);
  const isNew = tableIsNew(dataDir);
  const runtime = await startLocalRuntime({
    config,
    routing: true,
    events: true,
    live: true,
    providerStatuses: true,
    devClock: clock,
  });
  const setup = setupLine(config);
  const table = config.TABLE_NAME;
  const pendingBackfills = await backfillsToRun({
    endpoint: runtime.dynamoEndpoint,
    table,
    isNew,
    now: new Date(),
  });
  const version = runningVersion();
  const banner = startBanner({
    url: runtime.url,
    dataDir,
    config,
    aheadMs: clock.ahead,
    setup,
    version,
    pendingBackfills,
    ownAgentTokens: config.AGENT_TOKENS !== devSecrets(dataDir).AGENT_TOKENS,
    policyWarnings: routingPolicyWarnings(
      loadRoutingPolicy(config.ROUTING_POLICY_FILE),
      new Date(clock.now()),
    ),
  });
  return { runtime, banner };
}
