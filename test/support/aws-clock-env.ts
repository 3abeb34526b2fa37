/** The settings the stack gives a function that moves the conversation clock on AWS (its timers'), in eu-west-1. */
export const AWS_CLOCK_ENV = {
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'threadline',
  TIMERS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/timers',
  TIMERS_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:123456789012:timers',
  TIMERS_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/timers',
  TIMERS_SCHEDULE_GROUP: 'timers',
} as const;
