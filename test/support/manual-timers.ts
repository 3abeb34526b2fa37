import { SteppedTimers } from '#shared/local/timers.js';

/**
 * LocalTimers whose time moves only when the test says so: a LocalQueue on them redelivers a failed
 * message exactly when the test advances past its visibility timeout, never on its own. The runtime's
 * stepped timers with a fixed start (`npm run clock` moves the same kind, on the process clock). A test
 * whose time runs on the process clock and is moved forward at once only now and then (a queue's
 * delayed message let out without waiting out its delay) takes `new SteppedTimers()` itself.
 */
export class ManualTimers extends SteppedTimers {
  constructor(start = Date.parse('2025-06-10T12:00:00.000Z')) {
    super({ from: start });
  }
}

/**
 * The runtime's own time standing still from now (its `timers`: the periodic sweeps and the durable
 * timers), for a test that counts DynamoDB calls on the process clock: the absent-agent sweep, due every
 * minute, never puts its Queries into whichever step is measured then on a slow machine.
 */
export function stillTimers(): ManualTimers {
  return new ManualTimers(Date.now());
}
