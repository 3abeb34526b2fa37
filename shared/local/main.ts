import { ConfigError } from '../config/config.js';
import { startNpmRuntime } from './npm-start.js';

async function main(): Promise<void> {
  const { runtime, banner } = await startNpmRuntime(process.env);
  process.stdout.write(banner);
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
