import { ConfigError, loadConfig } from '../config/config.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { startLocalRuntime } from './runtime.js';
import { startBanner } from './start-banner.js';

async function main(): Promise<void> {
  const dataDir = loadConfig().DATA_DIR;
  const config = loadConfig(withDevSecrets(devSecrets(dataDir), process.env));
  const runtime = await startLocalRuntime({ config, routing: true, events: true, live: true });
  process.stdout.write(startBanner({ url: runtime.url, dataDir, config }));
  const shutdown = async (): Promise<void> => {
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
