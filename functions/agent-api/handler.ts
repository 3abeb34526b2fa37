import { handle } from 'hono/aws-lambda';
import { createLambdaAgentApp } from '#shared/lambda/agent-api.js';

export const handler = handle(await createLambdaAgentApp());
