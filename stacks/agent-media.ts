import { Duration } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type AgentSignIn, bindAgentSignIn } from './agent-sign-in.js';
import { ZOD_WITHOUT_LOCALES } from './bundling/on-demand.js';
import { ThreadlineFunction, type ThreadlineFunctionProps } from './constructs/threadline-function.js';
import { inboundMailPrefix } from './email-receiving.js';

/** The agent API's paths whose files are fetched from the providers: served by this function, not the agent API. */
export const AGENT_MEDIA_PATHS = [
  '/api/customers/{id}/timeline/{itemId}/attachments/{index}',
  '/api/customers/{id}/timeline/{itemId}/recording',
] as const;

/** How the file routes' function is bundled (the stack's, the bundle benchmark's and the bundle test's). */
export const AGENT_MEDIA_BUNDLING: Pick<ThreadlineFunctionProps, 'keepNames' | 'aliases'> = {
  // Errors name themselves, as on the agent API (errors.test.ts).
  keepNames: false,
  // @hono/zod-openapi takes zod's `z` namespace whole: without this, every locale of zod too.
  aliases: ZOD_WITHOUT_LOCALES,
  // An emailed file's MIME reader and the language detector are on demand as in every function
  // (EVERY_FUNCTION_ON_DEMAND): the first emailed file opened, the first automation by language.
};

/** What the file routes need from the stateful stack. */
export interface AgentMediaProps {
  readonly table: ITable;
  /** Twilio's and WhatsApp's credentials: of the functions agents call, only this one reads them. */
  readonly providerSecret: ISecret;
  readonly agentAuth: AgentSignIn;
  /** The raw mail SES stored: an email's files are read from it (objects under `inbound/` only). */
  readonly inboundMailBucket: IBucket;
}

/**
 * The agent API's timeline file routes (`GET` and `HEAD` attachments and recording) in a function of their own,
 * so that the agent API, which also serves the public survey page, holds no provider credentials. It
 * reads the table (the customer and their merged group, the item, a removal record: GetItem and
 * BatchGetItem, never a write), the provider secret, the raw mail under `inbound/` (an email's files are
 * read from it), and checks agents' sign-in as the agent API does.
 * API Gateway picks these routes over `ANY /api/{proxy+}`, the more specific match. `HEAD` is routed
 * here too (the app answers it as `GET` without the body): through `ANY` it would reach the agent API,
 * which fetches no file and answered it 503.
 */
export function addAgentMedia(
  scope: Construct,
  api: HttpApi,
  props: AgentMediaProps,
): { fn: ThreadlineFunction; routes: HttpRoute[] } {
  const fn = new ThreadlineFunction(scope, 'AgentMedia', {
    name: 'agent-media',
    // A file's fetch, all hops, gives up after 10 s (MEDIA_TIMEOUT_MS): time left to answer 502.
    timeout: Duration.seconds(15),
    // A file of up to 4 MiB is held a few times over (the download, its base64, the answer's JSON),
    // some 25 MB; the memory also sets the CPU and network share the download and the encoding get.
    memorySize: 512,
    description:
      "Threadline agent media: timeline files fetched from their providers with Threadline's credentials",
    ...AGENT_MEDIA_BUNDLING,
  })
    .bindTableReads(props.table, ['GetItem', 'BatchGetItem'])
    .bindSecret(props.providerSecret, 'PROVIDER_SECRET_ARN');
  props.inboundMailBucket.grantRead(fn, `${inboundMailPrefix}*`);
  bindAgentSignIn(fn, props.agentAuth);
  const integration = new HttpLambdaIntegration('AgentMediaIntegration', fn);
  const routes = AGENT_MEDIA_PATHS.flatMap((path) =>
    api.addRoutes({ path, methods: [HttpMethod.GET, HttpMethod.HEAD], integration }),
  );
  return { fn, routes };
}
