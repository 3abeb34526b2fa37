import { type ReconcileAgentLoadDeps, reconcileAgentLoad } from '../app/reconcile-agent-load.js';
import { AGENT_LOAD_RECONCILE_MINUTES } from '../domain/agent-load.js';
import type { Clock } from '../domain/ports.js';
import { log } from '../log.js';
import { type DynamoRepositories, storePorts } from '../store/dynamo-repositories.js';
import { type LocalTimers, realTimers } from './timers.js';

const PERIOD_MS = AGENT_LOAD_RECONCILE_MINUTES * 60_000;

/**
 * The agents' load reconcile of the local runtime: every AGENT_LOAD_RECONCILE_MINUTES on the runtime's
 * timers (tests move them by hand), as the AWS rule runs it on the timers function. A run still going
 * when the next falls due is not doubled; a failed one is logged, and the next run does its work.
 */
export class LocalAgentLoad {
  readonly #deps: ReconcileAgentLoadDeps;
  readonly #timers: LocalTimers;
  #disarm: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: ReconcileAgentLoadDeps, timers: LocalTimers) {
    this.#deps = deps;
    this.#timers = timers;
  }

  /** Arms the first run one period from now. */
  start(): void {
    this.#disarm?.();
    this.#disarm = this.#timers.schedule(() => this.#due(), PERIOD_MS);
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
      const report = await reconcileAgentLoad(this.#deps);
      if (report.fixed) log('info', 'agents\u2019 load reconciled', { ...report });
    } catch (error) {
      log('warn', 'agents\u2019 load reconcile failed, the next run retries', {
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
}

/** Starts the reconcile over the runtime's table, on its timers (the process clock's by default). */
export function startLocalAgentLoad(
  repos: DynamoRepositories,
  clock: Clock,
  timers: LocalTimers = realTimers,
): LocalAgentLoad {
  const deps = { load: repos.agentLoad, store: storePorts(repos), admin: repos.conversations, clock };
  const agentLoad = new LocalAgentLoad(deps, timers);
  agentLoad.start();
  return agentLoad;
}
