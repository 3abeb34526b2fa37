import { handle } from 'hono/aws-lambda';
import { createLambdaWebchatApp } from '#shared/lambda/webchat.js';

/** The public web-chat routes and the widget, behind the HTTP API. */
export const handler = handle(await createLambdaWebchatApp());
