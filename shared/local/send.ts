import { ConfigError } from '../config/config.js';
import { sendCommand } from './send-command.js';

sendCommand(process.argv.slice(2), process.env, { out: console.log, err: console.error }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : String(error));
    process.exitCode = 1;
  },
);
