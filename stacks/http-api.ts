import { Aws, CfnOutput, Fn, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnRoute,
  CfnStage,
  HttpApi,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { publicBaseUrlProblem } from '#shared/config/public-base-url.js';
import { stackSetting } from './email-receiving.js';

/** Requests per second in the steady state, and the burst on top that the token bucket allows. */
interface Throttle {
  readonly rate: number;
  readonly burst: number;
}

/**
 * Each route's own throttle, so a flood on one provider's route is refused there (429) and leaves the
 * others' limits alone. Each limit is the route's own, not a share of a total: the stage's default
 * (100/s, burst 200) is the limit of a route without a setting here, which fails synth, and only the
 * account's API Gateway quota (per Region, across all its APIs) caps the API as a whole. Fitted to
 * what each provider sends at its peak and to what it does with a 429:
 * - WhatsApp Cloud API batches up to 1,000 updates a request and retries refused deliveries for up to
 *   seven days: the highest limit, and a refusal is only a delay.
 * - Messenger and Instagram (Meta) also retry, at lower volume.
 * - Verification handshakes (GET) happen when an operator saves the webhook in Meta's console.
 * - Twilio does not retry an SMS webhook that fails: the limit sits well above a number's sending rate
 *   (1 segment/s for a long code, tens for a short code); status callbacks come up to 3 per reply.
 * - Twilio voice is a few requests per call, and calls are long.
 * - SES notifications reach the SES function through SNS directly on AWS; the route serves only SNS
 *   HTTPS subscriptions, which SNS retries.
 * - The agent API serves people at a console; the console's page and assets load once per sign-in
 *   (the assets are cached for a year). A timeline file is fetched when an agent clicks to show or play
 *   it, each call a download of up to 4 MiB from a provider: lower limits, a recording's the lowest.
 *   A `HEAD` of a file downloads it too (its type and size are the provider's answer) and is asked by
 *   a link checker or download manager, not a click: half its `GET`'s limit, counted apart.
 * - Survey links are clicked by customers, once each.
 * - Web chat is public: visitors' sessions, sends, history reads and read receipts share one route.
 */
export const routeThrottles: Readonly<Record<string, Throttle>> = {
  'GET /webhooks/whatsapp': { rate: 5, burst: 10 },
  'POST /webhooks/whatsapp': { rate: 100, burst: 200 },
  'GET /webhooks/meta': { rate: 5, burst: 10 },
  'POST /webhooks/meta': { rate: 50, burst: 100 },
  'POST /webhooks/twilio/sms': { rate: 25, burst: 50 },
  'POST /webhooks/twilio/status': { rate: 50, burst: 100 },
  'POST /webhooks/twilio/voice': { rate: 10, burst: 20 },
  'POST /webhooks/twilio/voice/recording': { rate: 10, burst: 20 },
  'POST /webhooks/twilio/voice/transcription': { rate: 10, burst: 20 },
  'POST /webhooks/twilio/voice/status': { rate: 20, burst: 40 },
  'POST /webhooks/twilio/voice/after-record': { rate: 10, burst: 20 },
  'POST /webhooks/ses': { rate: 10, burst: 20 },
  'ANY /api/{proxy+}': { rate: 50, burst: 100 },
  'GET /api/customers/{id}/timeline/{itemId}/attachments/{index}': { rate: 10, burst: 20 },
  'GET /api/customers/{id}/timeline/{itemId}/recording': { rate: 5, burst: 10 },
  'HEAD /api/customers/{id}/timeline/{itemId}/attachments/{index}': { rate: 5, burst: 10 },
  'HEAD /api/customers/{id}/timeline/{itemId}/recording': { rate: 2, burst: 5 },
  'POST /api/uploads': { rate: 5, burst: 10 },
  'GET /files/{proxy+}': { rate: 20, burst: 40 },
  'HEAD /files/{proxy+}': { rate: 5, burst: 10 },
  'GET /csat/{token}': { rate: 10, burst: 20 },
  'POST /csat/{token}': { rate: 10, burst: 20 },
  // Web chat: every visitor's sends, history reads and read receipts; per-session limits are in the function.
  'ANY /webchat/{proxy+}': { rate: 50, burst: 100 },
  'GET /console': { rate: 10, burst: 20 },
  'GET /console/{proxy+}': { rate: 20, burst: 40 },
};

/**
 * Sets each route's throttle on the stage; a route without one in `routeThrottles` fails synth. The
 * stage waits for the routes: API Gateway refuses settings for a route key that does not exist yet.
 */
export function throttleRoutes(stage: HttpStage, routes: readonly HttpRoute[]): void {
  const cfnStage = stage.node.defaultChild;
  if (!(cfnStage instanceof CfnStage)) throw new Error(`${stage.node.path}: expected the stage resource`);
  // RouteSettings is free-form JSON to CloudFormation, so CDK does not capitalise its keys: written as
  // the template needs them.
  const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const route of routes) {
    const cfnRoute = route.node.defaultChild;
    if (!(cfnRoute instanceof CfnRoute)) throw new Error(`${route.node.path}: expected the route resource`);
    const key = cfnRoute.routeKey;
    const throttle = routeThrottles[key];
    if (!throttle) throw new Error(`route ${key} has no throttle in stacks/http-api.ts routeThrottles`);
    settings[key] = { ThrottlingRateLimit: throttle.rate, ThrottlingBurstLimit: throttle.burst };
    stage.node.addDependency(route);
  }
  cfnStage.routeSettings = settings;
}

const PublicBaseUrlSchema = z
  .url({ protocol: /^https$/, error: 'an https URL such as https://support.example.com' })
  .superRefine((value, ctx) => {
    const problem = publicBaseUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((url) => url.replace(/\/+$/, ''));

/** The `publicBaseUrl` prop or context (a custom domain in front of the API, an origin), without a trailing slash. */
export function publicBaseUrlSetting(stack: Stack, prop: string | undefined): string | undefined {
  return stackSetting(stack, 'publicBaseUrl', prop, PublicBaseUrlSchema);
}

/**
 * The API's execute-api URL, built from its id alone: it depends on the API resource only, never on
 * its routes or stage, so functions behind the API can carry it without a dependency cycle.
 */
export function executeApiUrl(api: HttpApi): string {
  return Fn.join('', ['https://', api.apiId, '.execute-api.', Aws.REGION, '.', Aws.URL_SUFFIX]);
}

/** A true/false setting: a boolean in cdk.json, or `true`/`false` on the command line. */
export const BooleanSettingSchema = z.union(
  [z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')],
  {
    error: 'true or false',
  },
);

/**
 * `reserveConcurrency` (default true): whether ses-mail reserves its concurrency. Lambda keeps 10 of an
 * account's concurrency unreserved, so an account still at the default quota of 10 cannot reserve any:
 * `-c reserveConcurrency=false` deploys there, with the event source's cap alone.
 */
export function reserveConcurrencySetting(stack: Stack): boolean {
  return stackSetting(stack, 'reserveConcurrency', undefined, BooleanSettingSchema) ?? true;
}

/** The HTTP API with its one throttled stage, whose access logs carry no path or query string. */
export function createHttpApi(scope: Stack): { api: HttpApi; stage: HttpStage } {
  const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const api = new HttpApi(scope, 'HttpApi', {
    apiName: scope.stackName,
    description: 'Threadline: provider webhooks and the agent API',
    // The stage is added below: only an explicit stage takes throttling and access logs.
    createDefaultStage: false,
  });
  const stage = api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: 100, burstLimit: 200 },
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      // No path or query string: agent API paths carry customer ids and searches.
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTimeEpoch',
          routeKey: '$context.routeKey',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          integrationError: '$context.integrationErrorMessage',
        }),
      ),
    },
  });
  new CfnOutput(scope, 'ApiUrl', { value: stage.url });
  return { api, stage };
}
