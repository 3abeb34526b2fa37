import { createTimersHandler } from '#shared/lambda/timers-handler.js';

/**
 * SQS (timers put there by EventBridge Scheduler) → SLA warnings and breaches, snooze wake-ups,
 * auto-resolve, surveys; EventBridge rules → the agents' load reconcile (every 10 minutes) and the sweep
 * that hands back absent agents' waiting conversations (every minute).
 */
export const handler = await createTimersHandler();
