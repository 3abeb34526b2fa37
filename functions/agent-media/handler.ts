import { handle } from 'hono/aws-lambda';
import { createLambdaMediaApp } from '#shared/lambda/agent-media.js';

/** The agent API's timeline file routes (attachments, recordings), behind the HTTP API. */
export const handler = handle(await createLambdaMediaApp());
