import { reconcileAgentLoad } from '../app/reconcile-agent-load.js';
import { returnAbsentAgents } from '../app/return-absent-agents.js';
import { AGENT_AWAY_SWEEP_MINUTES } from '../domain/agent-away.js';
import { AGENT_LOAD_RECONCILE_MINUTES } from '../domain/agent-load.js';
import type { Clock } from '../domain/ports.js';
import { log } from '../log.js';
import { type DynamoRepositories, storePorts } from '../store/dynamo-repositories.js';
import type { LocalExportStore } from './export-files.js';
import { type LocalTimers, realTimers } from './timers.js';

/** A task the runtime runs on its clock, as an AWS rule runs it on the timers function. */
interface PeriodicTask {
  name: string;
  periodMs: number;
  /** One run; answers whether it changed anything worth a log line, and its counts. */
  run(): Promise<Record<string, number> | undefined>;
}

/**
 * A periodic task of the local runtime: every `periodMs` on the runtime's timers (tests move them by
 * hand). A run still going when the next falls due is not doubled; a failed one is logged, and the next
 * run does its work.
 */
export class LocalPeriodicTask {
  readonly #task: PeriodicTask;
  readonly #timers: LocalTimers;
  #disarm: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(task: PeriodicTask, timers: LocalTimers) {
    this.#task = task;
    this.#timers = timers;
  }

  /** Runs once now, then every period. */
  startNow(): void {
    this.#due();
  }

  /** Arms the first run one period from now. */
  start(): void {
    this.#disarm?.();
    this.#disarm = this.#timers.schedule(() => this.#due(), this.#task.periodMs);
  }

  /** Disarms the next run (one under way finishes: await `settled`). */
  stop(): void {
    this.#disarm?.();
    this.#disarm = undefined;
  }

  /** Resolves once no run is under way. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #due(): void {
    this.start();
    if (this.#running) return;
    const run = this.#run().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
  }

  async #run(): Promise<void> {
    try {
      const report = await this.#task.run();
      if (report) log('info', `${this.#task.name} done`, { ...report });
    } catch (error) {
      log('warn', `${this.#task.name} failed, the next run retries`, {
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
}

/** The runtime's agent tasks (the load reconcile, the absent-agent sweep), stopped and settled together. */
export interface LocalAgentLoad {
  stop(): void;
  settled(): Promise<void>;
}

/** How often the local runtime deletes expired exports, and how many a run at most. */
export const EXPORT_SWEEP_MINUTES = 60;
export const EXPORT_SWEEP_LIMIT = 500;

/** Deletes expired exports under DATA_DIR: at start, then every EXPORT_SWEEP_MINUTES. */
function exportSweep(exports: LocalExportStore, clock: Clock, timers: LocalTimers): LocalPeriodicTask {
  const run = async () => {
    const removed = await exports.sweepExpired(clock.now().toISOString(), EXPORT_SWEEP_LIMIT);
    return removed ? { removed } : undefined;
  };
  return new LocalPeriodicTask(
    { name: 'expired exports\u2019 sweep', periodMs: EXPORT_SWEEP_MINUTES * 60_000, run },
    timers,
  );
}

/**
 * Starts the agents' periodic tasks over the runtime's table, on its timers (the process clock's by
 * default): the load reconcile every AGENT_LOAD_RECONCILE_MINUTES, and the sweep that hands an absent
 * agent's waiting conversations back every AGENT_AWAY_SWEEP_MINUTES; with `exports`, the sweep of
 * expired exports too (at start, then hourly), stopped and settled with them.
 */
export function startLocalAgentLoad(
  repos: DynamoRepositories,
  clock: Clock,
  timers: LocalTimers = realTimers,
  exports?: LocalExportStore,
): LocalAgentLoad {
  const deps = { load: repos.agentLoad, store: storePorts(repos), admin: repos.conversations, clock };
  const tasks = [
    new LocalPeriodicTask(
      {
        name: 'agents\u2019 load reconcile',
        periodMs: AGENT_LOAD_RECONCILE_MINUTES * 60_000,
        run: async () => {
          const report = await reconcileAgentLoad(deps);
          return report.fixed ? { ...report } : undefined;
        },
      },
      timers,
    ),
    new LocalPeriodicTask(
      {
        name: 'absent agents\u2019 sweep',
        periodMs: AGENT_AWAY_SWEEP_MINUTES * 60_000,
        run: async () => {
          const report = await returnAbsentAgents({ ...deps, away: repos.agents });
          return report.returned || report.taken ? { ...report } : undefined;
        },
      },
      timers,
    ),
  ];
  for (const task of tasks) task.start();
  if (exports) {
    const sweep = exportSweep(exports, clock, timers);
    tasks.push(sweep);
    sweep.startNow();
  }
  return {
    stop: () => {
      for (const task of tasks) task.stop();
    },
    settled: async () => {
      for (const task of tasks) await task.settled();
    },
  };
}
