import { ConfigError } from '../config/config.js';
import { clockCommand } from './clock-command.js';

clockCommand(process.argv.slice(2), process.env, { out: console.log, err: console.error }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : String(error));
    process.exitCode = 1;
  },
);
