import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Webhook } from '#shared/http/webhook.js';

const EMPTY = new Uint8Array();

/**
 * A webhook as the Lambda handler of an API Gateway HTTP API (payload 2.0): the event becomes a
 * WebhookRequest directly (no fetch Request or Response objects), with the URL the caller used
 * (`https://<Host><rawPath>?<rawQueryString>`), which is what Twilio signs.
 */
export function lambdaWebhook(
  webhook: Webhook,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    const headers = event.headers ?? {};
    const body =
      event.body === undefined || event.body === null
        ? EMPTY
        : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    // A string with a lone surrogate encodes to U+FFFD: then only the bytes say what was signed.
    const text =
      typeof event.body === 'string' && !event.isBase64Encoded && wellFormed(event.body)
        ? event.body
        : undefined;
    const host = headers.host ?? event.requestContext.domainName;
    const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
    const res = await webhook.handle({
      method: event.requestContext.http.method,
      path: event.rawPath,
      url: `https://${host}${event.rawPath}${query}`,
      // API Gateway HTTP APIs lower-case header names (and join repeats with commas).
      header: (name) => headers[name],
      body,
      text,
    });
    const result: APIGatewayProxyStructuredResultV2 = { statusCode: res.status, body: res.body ?? '' };
    if (res.contentType) result.headers = { 'content-type': res.contentType };
    return result;
  };
}

/** String.prototype.isWellFormed (Node 20 and later), which the ES2023 library types do not declare. */
function wellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}
