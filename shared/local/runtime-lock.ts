import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/config.js';
import { ValidationError } from '../errors.js';
import { PRIVATE_FILE, privateDataDir } from './private-files.js';

const lockFile = (dataDir: string) => join(dataDir, 'runtime.pid');

/**
 * Marks `dataDir` as in use by this process (`<dataDir>/runtime.pid`), so tools that move its files
 * (the redrive) know to leave them alone; the returned function releases it.
 */
export function claimDataDir(dataDir: string): () => void {
  const file = lockFile(dataDir);
  writeFileSync(file, String(process.pid), { mode: PRIVATE_FILE });
  return () => {
    if (runtimePid(dataDir) === process.pid) rmSync(file, { force: true });
  };
}

/** The process id of a running runtime that uses `dataDir`, if any (a stale mark is ignored). */
export function runningRuntime(dataDir: string): number | undefined {
  const pid = runtimePid(dataDir);
  if (pid === undefined) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the folder.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

function runtimePid(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * The runtime's DATA_DIR before anything is written in it: a second runtime on one DATA_DIR met
 * dynalite's "Database is closed", so it is refused first, naming the process; then the folder is made
 * its owner's alone (`privateDataDir`).
 */
export function openDataDir(dataDir: string | undefined): void {
  const pid = dataDir ? runningRuntime(dataDir) : undefined;
  if (pid !== undefined && pid !== process.pid) {
    throw new ConfigError(
      `DATA_DIR ${dataDir} is in use by Threadline process ${pid}: stop it, or set another DATA_DIR`,
    );
  }
  if (dataDir) privateDataDir(dataDir);
}

/**
 * Refuses a DATA_DIR that holds no Threadline data (neither the table's `dynamodb` folder nor `queues`,
 * which npm start makes at once): a forgotten or mistyped DATA_DIR, where a maintenance command would
 * otherwise make an empty table and report nothing done. `command` is how to run it again, after
 * `npm run `, as the error suggests it with DATA_DIR.
 */
export function requireThreadlineData(dataDir: string, command: string): void {
  if (existsSync(join(dataDir, 'dynamodb')) || existsSync(join(dataDir, 'queues'))) return;
  throw new ValidationError(
    `DATA_DIR ${dataDir} holds no Threadline data (no dynamodb or queues folder there): ` +
      `run it on the folder npm start uses, DATA_DIR=<the folder npm start uses> npm run ${command}`,
  );
}
