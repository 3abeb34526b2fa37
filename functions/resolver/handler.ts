import { createResolverHandler } from '#shared/lambda/resolver-handler.js';

/** SQS → resolver → routing; everything is built once, at cold start. */
export const handler = createResolverHandler();
