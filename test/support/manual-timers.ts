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
