import { createTimersHandler } from '#shared/lambda/timers-handler.js';

/**
 * SQS (timers put there by EventBridge Scheduler) → SLA warnings and breaches, snooze wake-ups,
 * auto-resolve, surveys; an EventBridge rule every 10 minutes → the agents' load reconcile.
 */
export const handler = await createTimersHandler();
