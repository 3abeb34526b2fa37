import { createTimersHandler } from '#shared/lambda/timers-handler.js';

/** SQS (timers put there by EventBridge Scheduler) → SLA warnings and breaches, snooze wake-ups, auto-resolve, surveys. */
export const handler = await createTimersHandler();
